/// The report's style sheet: screen, and print (landscape pages with the title and page
/// number in the margin, wide tables wrapped rather than cut, figures kept whole, folded
/// sections opened).
enum ReportStyle {
    static let css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans CJK TC","Noto Sans TC","PingFang TC","Microsoft JhengHei","DejaVu Sans",sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
        h1{font-size:1.5em}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:1.6em}
        table{border-collapse:collapse;margin:8px 0;font-size:.86em}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
        th{background:#f2f2f2}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        table.kv td:first-child{font-weight:600;background:#fafafa}table.kv thead{display:none}
        tr.ok td{background:#eafaf1}tr.off td{background:#fdf2e9}tr.na td{color:#888}tr.flagged td{background:#fef5e7}
        .notice{background:#eef5fb;border-left:4px solid #2e86c1;padding:4px 12px;margin:12px 0}
        .banner{padding:6px 14px;margin:10px 0;border-radius:3px;font-weight:600}
        .banner.bad{background:#fadbd8;color:#922b21;border:2px solid #c0392b}
        .banner.review{background:#fef9e7;border:2px solid #b7950b}.banner.note{background:#f2f3f4;border:1px solid #aab7b8;font-weight:400}
        .flags.void .flag.on,.flags.void .status{text-decoration:line-through;opacity:.7}
        .missing{color:#888;font-style:italic}.warn{color:#a04000}.note{font-size:.8em;color:#555}
        figure{margin:8px 0}figcaption{font-size:.8em;color:#555}.tlrange{font-size:.8em;margin:6px 0 0;color:#555}
        svg.plot{width:100%;height:auto;display:block;font-size:11px;font-family:inherit}
        svg .seglabel{font-size:10px;fill:#111}svg .rowlabel{font-size:11px}svg .axis text{fill:#444;font-size:10px}
        rect.segment{fill:#aab7b8;stroke:#555;stroke-width:.5}rect.role-question{fill:#5dade2}rect.role-answer{fill:#58d68d}
        rect.role-baseline{fill:#d6eaf8}rect.segment.flagged{stroke:#e67e22;stroke-width:2.5}
        .flags{display:flex;gap:16px;align-items:flex-start}.flaglist{flex:3}.limits{flex:2;background:#fdf2e9;border:1px solid #f0b27a;padding:8px 12px;font-size:.86em;position:sticky;top:8px}
        .flag{border:1px solid #ddd;padding:6px 10px;margin:8px 0}.flag.on{border:2px solid #e67e22}.status{font-weight:600}
        .verify{font-weight:700;padding:6px 10px;display:inline-block}.verify.ok{background:#d5f5e3}.verify.bad{background:#fadbd8;color:#922b21}.verify.na{background:#eee}
        pre.checkpoint{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:.8em}
        .scroll{overflow-x:auto}table.segments td:nth-child(2){min-width:14em}footer{margin-top:2em;font-size:.85em;color:#555;border-top:1px solid #ddd}
        @media print{
        @page{size:A4 landscape;margin:14mm 10mm 12mm}
        body{max-width:none;margin:0;padding:0;font-size:9pt}
        .scroll{overflow:visible}
        table{width:100%;table-layout:fixed;page-break-inside:auto}tr{page-break-inside:avoid}
        th,td{overflow-wrap:break-word;word-break:normal;hyphens:none;padding:2px 3px}
        table.data{font-size:7pt}table.segments{font-size:6.5pt}table.segments td:nth-child(2){min-width:0}
        table.kv{width:auto;table-layout:auto}
        figure,.flag,.banner,.tlrow{page-break-inside:avoid;break-inside:avoid}
        .flags{display:block}.limits{position:static}
        details>summary{list-style:none;font-weight:600}
        details::details-content{content-visibility:visible;display:block}
        h2{page-break-after:avoid;break-after:avoid}
        }
        """

    /// The print page header: the report's title left, the page number right (CSS margin
    /// boxes; the title is escaped as a CSS string).
    static func pageHeader(_ title: String) -> String {
        var escaped = ""
        for u in title.unicodeScalars {
            switch u {
            case "\"", "\\", "<", ">", "&": escaped += "\\" + String(u.value, radix: 16) + " "
            case _ where u.value < 0x20 || u.value == 0x7F: escaped += "\\" + String(u.value, radix: 16) + " "
            default: escaped.unicodeScalars.append(u)
            }
        }
        return "@media print{@page{@top-left{content:\"\(escaped)\";font-size:8pt;color:#555}"
            + "@top-right{content:counter(page) \" / \" counter(pages);font-size:8pt;color:#555}}}"
    }
}
