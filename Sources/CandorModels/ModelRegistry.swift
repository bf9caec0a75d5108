import Foundation

/// The model files of one directory (`*.json`), loaded and validated, with their cards.
///
/// Where the directory is, in order (see `ModelRegistry.locate`):
/// 1. `$CANDOR_MODELS`, if set (it must exist);
/// 2. `./models` in the current directory, if it holds a `*.json` file;
/// 3. `models/` in the executable's directory or any of its 5 nearest ancestors (finds the
///    package checkout from `.build/debug/candor`);
/// 4. `../share/candor/models` relative to the executable (an installed layout).
public struct ModelRegistry: Sendable {
    public let directory: String
    /// Sorted by id.
    public let models: [LoadedModel]

    public init(directory: String, models: [LoadedModel]) {
        self.directory = directory
        self.models = models.sorted { $0.id < $1.id }
    }

    /// Loads every `*.json` in `directory`. Any malformed file fails the whole load (a model set
    /// with a silently missing member would change results without notice).
    public static func load(directory: String) throws -> ModelRegistry {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw ModelInputError(path: directory, "models directory not found")
        }
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw ModelInputError(path: directory, "cannot list models directory")
        }
        var models: [LoadedModel] = []
        var seen: [String: String] = [:]
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            let m = try LoadedModel.load(path: path)
            if let other = seen[m.id] { throw ModelInputError(path: path, "model id '\(m.id)' is also used by \(other)") }
            seen[m.id] = path
            models.append(m)
        }
        return ModelRegistry(directory: directory, models: models)
    }

    /// Finds the models directory (see the type documentation), or nil.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath,
        executablePath: String? = Bundle.main.executableURL?.path ?? CommandLine.arguments.first
    ) -> String? {
        let fm = FileManager.default
        if let env = environment["CANDOR_MODELS"], !env.isEmpty { return env }
        func hasModels(_ dir: String) -> Bool {
            ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).contains { $0.hasSuffix(".json") }
        }
        let cwdModels = (currentDirectory as NSString).appendingPathComponent("models")
        if hasModels(cwdModels) { return cwdModels }
        if let exe = executablePath, !exe.isEmpty {
            let resolved = URL(fileURLWithPath: exe, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
                .standardizedFileURL.resolvingSymlinksInPath()
            var dir = resolved.deletingLastPathComponent()
            for _ in 0...5 {
                let candidate = dir.appendingPathComponent("models").path
                if hasModels(candidate) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
            let share = resolved.deletingLastPathComponent().appendingPathComponent("../share/candor/models").standardizedFileURL.path
            if hasModels(share) { return share }
        }
        return nil
    }

    /// `locate()` then `load(directory:)`.
    public static func loadDefault() throws -> ModelRegistry {
        guard let dir = locate() else {
            throw ModelInputError(path: "models", "no models directory found; set CANDOR_MODELS or run from the Candor checkout")
        }
        return try load(directory: dir)
    }

    public func model(id: String) -> LoadedModel? { models.first { $0.id == id } }

    /// id, version and SHA-256 of every loaded model, for the analysis JSON and the audit record.
    public var references: [ModelReference] { models.map { ModelReference(id: $0.id, version: $0.version, sha256: $0.sha256) } }

    /// The model card text (Markdown) for a model, if its card file exists.
    public func card(for model: LoadedModel) -> String? {
        guard let path = cardPath(for: model) else { return nil }
        return try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// The card's path, or nil when the model file names a card outside the model's folder
    /// (a path with "/", "..", or a symbolic link leading out): cards are never read from
    /// elsewhere.
    public func cardPath(for model: LoadedModel) -> String? {
        let name = model.file.card ?? "\(model.id).md"
        guard !name.isEmpty, !name.contains("/"), !name.contains("\\"), name != ".", name != ".." else { return nil }
        let folder = (model.path as NSString).deletingLastPathComponent
        let path = (folder as NSString).appendingPathComponent(name)
        let realFolder = (folder as NSString).resolvingSymlinksInPath
        let realCard = (path as NSString).resolvingSymlinksInPath
        guard (realCard as NSString).deletingLastPathComponent == realFolder else { return nil }
        return path
    }

    /// The shipped `interview-quality` model.
    public func interviewQuality(id: String = "interview-quality") throws -> InterviewQualityModel {
        guard let m = model(id: id) else { throw ModelInputError(path: directory, "no model with id '\(id)'") }
        return try InterviewQualityModel(m)
    }

    /// The shipped `baseline-deviation` model.
    public func baselineDeviation(id: String = "baseline-deviation") throws -> BaselineDeviationModel {
        guard let m = model(id: id) else { throw ModelInputError(path: directory, "no model with id '\(id)'") }
        return try BaselineDeviationModel(m)
    }
}

/// Identifies one model file exactly (for `analysis_completed` audit records).
public struct ModelReference: Codable, Sendable, Equatable {
    public var id: String
    public var version: String
    public var sha256: String
    public init(id: String, version: String, sha256: String) {
        self.id = id
        self.version = version
        self.sha256 = sha256
    }
}
