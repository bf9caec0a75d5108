extension CSVWriter {
    /// Conversation table: one row per speaker with that speaker's numbers from the analysis'
    /// `conversation.measures.speakers` (`speaker`, `speaking_time_s`, `talk_share`, `turns`,
    /// …), then the recording's numbers from `conversation.measures` (`duration_s`,
    /// `response_latency_median_s`, `overlaps`, `total_backchannels` …), repeated on every
    /// row, then `estimate`
    /// (true for the one-channel two-speaker estimate). The values are the ones the analysis
    /// computed once (the summary, JSON and report show the same); nothing is recomputed.
    /// Only the header when the analysis has no conversation measures.
    public static func conversation(_ a: AnalysisData) -> String {
        let c = a.conversation
        let rows = c?.speakerMeasures ?? []
        var speakerColumns: [String] = []
        for r in rows { for v in r where !speakerColumns.contains(v.name) { speakerColumns.append(v.name) } }
        speakerColumns = ["speaker"] + speakerColumns.filter { $0 != "speaker" }
        let recording = c?.recordingMeasures ?? []
        // A recording number named like a speaker column (`backchannels`) is `total_<name>`.
        let recordingNames = recording.map { speakerColumns.contains($0.name) ? "total_" + $0.name : $0.name }
        let header = speakerColumns + recordingNames + ["estimate"]
        var out = header.map(field).joined(separator: ",") + "\n"
        func cell(_ v: NamedValue?) -> String { v?.text ?? v?.value.map { formatValue($0, digits: 6) } ?? "" }
        for r in rows {
            var row = speakerColumns.map { name in cell(r.first { $0.name == name }) }
            row += recording.map(cell)
            row.append(c?.estimate.map { $0 ? "true" : "false" } ?? "")
            out += row.map(field).joined(separator: ",") + "\n"
        }
        return out
    }
}
