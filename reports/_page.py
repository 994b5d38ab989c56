"""Inline stylesheet of the HTML report (no external fonts or files)."""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:15px;color:#1d2433;
 display:flex;line-height:1.45}
nav#toc{position:sticky;top:0;align-self:flex-start;height:100vh;overflow:auto;width:250px;
 flex:none;padding:16px;background:#f3f5f8;border-right:1px solid #d8dde6}
nav#toc h1{font-size:17px;margin:0 0 12px}
nav#toc ol{padding-left:20px;margin:0}
nav#toc li{margin:6px 0}
main{flex:1;min-width:0;padding:8px 28px 40px;max-width:1200px}
section{border-bottom:1px solid #e4e7ed;padding-bottom:16px}
h2{margin-top:28px}
h3{margin-top:22px;font-size:16px}
figure.plot{margin:10px 0}
figcaption{font-size:13px;color:#4a5366}
.table-wrap{overflow-x:auto;margin:8px 0}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #d8dde6;padding:3px 7px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
thead th{background:#eef1f6}
table.at-risk{margin-left:70px}
table.at-risk caption{text-align:left;font-size:12px;color:#4a5366}
a.csv{font-size:13px;margin-right:14px}
code{background:#f3f5f8;padding:1px 4px}
ul.refs{font-size:13px;color:#4a5366}
@media print{nav#toc{display:none}body{display:block}}
"""
