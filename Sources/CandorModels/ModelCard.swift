import Foundation

/// Drafts a model card (Mitchell et al. 2019) for a trained model from its embedded
/// evaluation. The sections only the researcher can write are marked as such.
public enum ModelCardDraft {
    public static func markdown(for model: ModelFile, sha256: String) -> String {
        func f(_ v: Double?, _ d: Int = 3) -> String { v.map { String(format: "%.\(d)f", $0) } ?? "n/a" }
        func ci(_ v: [Double]?) -> String { v.map { "[\(f($0[0])), \(f($0[1]))]" } ?? "not available" }
        let todo = "*To be completed by the researcher who trained this model.*"
        var s = "# Model card: `\(model.id)` \(model.version)\n\n"
        s += "Kind: `\(model.kind.rawValue)` · SHA-256 of the model file: `\(sha256)`.\n"
        s += "Drafted by `candor train`; the measured sections below come from the model file.\n\n"
        s += "## What it does\n"
        s += "L2 logistic regression (C = \(f(model.training?.l2C, 4))) on \(model.features.count) z-scored features. "
        s += "Its value is an uncalibrated logistic output for the researcher-defined target `\(model.target)`; "
        s +=
            "a value ≥ \(f(model.calibration.flagThreshold, 2)) raises the flag \"follow-up suggested\". It is not a verdict on anyone.\n\n"
        if let r = model.calibration.outOfFoldFlagRates {
            s += "**Flag error rate** (\(r.source)): the flag fired on \(r.falseFlagRate.count) of \(r.falseFlagRate.total) label-0 rows "
            s += "(false-flag rate \(f(r.falseFlagRate.rate)), 95% CI \(f(r.falseFlagRate.ciLow))–\(f(r.falseFlagRate.ciHigh))) and on "
            s += "\(r.sensitivity.count) of \(r.sensitivity.total) label-1 rows (sensitivity \(f(r.sensitivity.rate))). "
            s += "These are in-study figures; measure the rate on your own data before relying on the flag.\n\n"
        }
        s += "| feature | weight (per training SD) |\n| --- | --- |\n"
        for feat in model.features.sorted(by: { abs($0.weight ?? 0) > abs($1.weight ?? 0) }) {
            s += "| `\(feat.name)` | \(String(format: "%+.4f", feat.weight ?? 0)) |\n"
        }
        s += "\n## Intended use\n\(todo)\n\n## Out-of-scope uses\n\(todo) At least: any decision about a person's credibility, "
        s +=
            "honesty or culpability; use as evidence of deceit; screening or ranking people; use outside the population of the training data.\n\n"
        s += "## Data\n"
        if let t = model.training {
            s += "Training table `\(t.table)` (SHA-256 `\(t.tableSHA256)`): \(t.rows) rows, \(t.speakers) speakers, "
            s += "\(t.missingValues) missing values. \(todo) Describe how the data and labels were collected.\n\n"
        } else {
            s += "\(todo)\n\n"
        }
        guard let e = model.evaluation else {
            return s + "## Metrics\nNot validated.\n\n## Per-group results\nNot available.\n\n## Limitations\n\(todo)\n"
        }
        s +=
            "## Metrics\nSpeaker-grouped \(model.training?.folds ?? 0)-fold cross-validation (out-of-fold scores; no speaker in both training and test). "
        s += "95% CIs from a speaker-level bootstrap (\(e.resampling.replicates) replicates).\n\n"
        s += "| metric | value | 95% CI |\n| --- | --- | --- |\n"
        s += "| ROC AUC | \(f(e.auc)) | \(ci(e.aucCI95)) |\n"
        s += "| UAR at \(f(e.threshold, 2)) | \(f(e.uar)) | \(ci(e.uarCI95)) |\n"
        s += "| sensitivity / specificity | \(f(e.sensitivity)) / \(f(e.specificity)) | |\n"
        s += "| majority baseline | UAR 0.500, accuracy \(f(e.majorityBaseline.accuracy)) | |\n"
        s += "| permutation p (AUC) | \(f(e.permutationP, 4)) | |\n"
        s += "| Brier score | \(f(e.brier, 4)) | |\n"
        s += "| ECE (\(e.eceBins) bins) | \(f(e.ece, 4)) | |\n\n"
        s += "## Per-group results\n| group | n | speakers | AUC | UAR |\n| --- | --- | --- | --- | --- |\n"
        for g in e.perGroup.groups {
            s += "| \(g.group.isEmpty ? "(blank)" : g.group) | \(g.n) | \(g.speakers) | \(f(g.auc)) | \(f(g.uar)) |\n"
        }
        for gap in e.perGroup.largestGap {
            s += "\nLargest \(gap.metric.uppercased()) gap: \(f(gap.gap)) (\(gap.highest) vs \(gap.lowest))."
        }
        s += "\nNo result may be assumed to hold for a language, sex or age group that is not listed here.\n\n"
        s += "## Limitations\n"
        s += "- **Base rates.** A flag with 70% sensitivity and 70% specificity at a 10% base rate is right about 1 in 5 times "
        s += "(0.07 / (0.07 + 0.27) ≈ 0.21). For this model (sensitivity \(f(e.sensitivity)), specificity \(f(e.specificity))):\n\n"
        s += "| base rate | PPV | NPV |\n| --- | --- | --- |\n"
        for p in e.ppvNpvAtBaseRate { s += "| \(f(p.baseRate, 2)) | \(f(p.ppv)) | \(f(p.npv)) |\n" }
        s += "\n- The output is not calibrated to any base rate; see the reliability table in the model file.\n"
        s += "- \(todo)\n"
        return s
    }
}
