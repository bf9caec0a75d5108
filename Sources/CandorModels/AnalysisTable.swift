import Foundation

/// Builds a labelled feature table from a folder of analysis JSONs (`candor.analysis/1`) and a
/// labels CSV, following the `segments[]` contract of docs/json-schema.md:
/// `segments: [{id, label, speaker, start, end, role, features, scores}]`.
///
/// The labels CSV has the header `id,speaker,group,label`, where `id` is
/// `<analysis name>/<segment id>` and the analysis name is the JSON file name without
/// `.json` and without a trailing `.analysis` (so `int01.analysis.json` → `int01`). The speaker
/// column gives the person's identity across recordings (a segment's own `speaker` is only a
/// role within one recording). Each labelled segment's `features` object becomes one row;
/// nested objects are flattened with dots (`voice.jitter_local`), non-numeric values are
/// ignored, and a feature absent or null in a segment is a missing value.
public enum AnalysisTable {
    /// The assembled table as CSV text (`id,speaker,group,label,<features…>`).
    public static func csv(analysesDirectory dir: String, labelsPath: String) throws -> String {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw ModelInputError(path: dir, "analyses folder not found")
        }
        // Segment features of every analysis, keyed by "<name>/<segment id>".
        var segments: [String: [String: Double]] = [:]
        let files = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { throw ModelInputError(path: dir, "no *.json analysis files") }
        for file in files {
            let path = (dir as NSString).appendingPathComponent(file)
            var name = String(file.dropLast(".json".count))
            if name.hasSuffix(".analysis") { name = String(name.dropLast(".analysis".count)) }
            for seg in try AnalysisSegment.read(path: path) {
                segments["\(name)/\(seg.id)"] = seg.features.compactMapValues { $0 }
            }
        }

        let records = try CSVReader.read(path: labelsPath)
        guard let header = records.first else {
            throw ModelInputError(path: labelsPath, "empty file; expected the header id,speaker,group,label")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var col: [String: Int] = [:]
        for n in LabelledTable.fixedColumns {
            guard let i = names.firstIndex(of: n) else {
                throw ModelInputError(
                    path: labelsPath, line: header.line, "missing column '\(n)'; expected the header id,speaker,group,label")
            }
            col[n] = i
        }
        var rows: [(fields: [String], features: [String: Double])] = []
        var featureNames = Set<String>()
        for r in records.dropFirst() {
            guard r.fields.count == names.count else {
                throw ModelInputError(path: labelsPath, line: r.line, "\(r.fields.count) fields, header has \(names.count)")
            }
            let f = LabelledTable.fixedColumns.map { r.fields[col[$0]!].trimmingCharacters(in: .whitespaces) }
            guard let features = segments[f[0]] else {
                throw ModelInputError(
                    path: labelsPath, line: r.line, "no segment '\(f[0])' in \(dir) (ids are <analysis name>/<segment id>)")
            }
            _ = try ScoresTable.parseLabel(f[3], path: labelsPath, line: r.line)
            featureNames.formUnion(features.keys)
            rows.append((f, features))
        }
        guard !rows.isEmpty else { throw ModelInputError(path: labelsPath, "no data rows after the header") }
        guard !featureNames.isEmpty else { throw ModelInputError(path: dir, "the labelled segments have no numeric features") }
        let columns = featureNames.sorted()
        func field(_ s: String) -> String {
            s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var text = (LabelledTable.fixedColumns + columns).map(field).joined(separator: ",") + "\n"
        for row in rows {
            text += (row.fields.map(field) + columns.map { row.features[$0].map { "\($0)" } ?? "" }).joined(separator: ",") + "\n"
        }
        return text
    }

    /// The assembled table; its `path` is the labels file and its `sha256` that of the CSV text.
    public static func table(analysesDirectory dir: String, labelsPath: String) throws -> LabelledTable {
        let text = try csv(analysesDirectory: dir, labelsPath: labelsPath)
        var t = try LabelledTable.parse(text, path: labelsPath)
        t.sha256 = SHA256Digest.hex(Data(text.utf8))
        return t
    }
}
