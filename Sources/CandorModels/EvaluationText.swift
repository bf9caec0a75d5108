import Foundation

extension EvaluationReport {
    /// A plain-text table for terminals. Numbers are rounded for reading; the JSON keeps them exact.
    public func renderText() -> String {
        func f(_ v: Double?, _ digits: Int = 3) -> String {
            guard let v else { return "n/a" }
            return String(format: "%.\(digits)f", v)
        }
        func ci(_ v: [Double]?) -> String {
            guard let v, v.count == 2 else { return "n/a" }
            return "[\(f(v[0])), \(f(v[1]))]"
        }
        func row(_ cells: [String], _ widths: [Int]) -> String {
            zip(cells, widths).map { c, w in c.padding(toLength: max(w, c.count), withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var out: [String] = []
        if let source { out.append("Evaluation of \(source)") }
        out.append("n = \(n) rows, \(speakers) speakers, \(positives) positive / \(negatives) negative (prevalence \(f(prevalence)))")
        out.append("")
        let w = [22, 8, 18]
        out.append(row(["metric", "value", "95% CI (speaker bootstrap)"], w))
        out.append(row(["ROC AUC", f(auc), ci(aucCI95)], w))
        out.append(row(["UAR at \(f(threshold, 2))", f(uar), ci(uarCI95)], w))
        out.append(row(["sensitivity", f(sensitivity), ""], w))
        out.append(row(["specificity", f(specificity), ""], w))
        out.append(
            row(["majority baseline", "UAR 0.500, accuracy \(f(majorityBaseline.accuracy)) (always \(majorityBaseline.label))", ""], w))
        out.append(row(["permutation p (AUC)", f(permutationP, 4), "\(resampling.permutations) permutations"], w))
        out.append(row(["Brier score", f(brier, 4), ""], w))
        out.append(row(["ECE (\(eceBins) bins)", f(ece, 4), ""], w))
        out.append("")
        out.append("Reliability (non-empty bins)")
        let rw = [14, 6, 11, 13]
        out.append(row(["bin", "n", "mean score", "observed rate"], rw))
        for b in reliability where b.n > 0 {
            out.append(row(["\(f(b.lower, 2))–\(f(b.upper, 2))", "\(b.n)", f(b.meanScore), f(b.observedRate)], rw))
        }
        out.append("")
        out.append("Per group")
        let gw = [16, 6, 9, 10, 7, 7, 7]
        out.append(row(["group", "n", "speakers", "positives", "AUC", "UAR", "Brier"], gw))
        for g in perGroup.groups {
            out.append(
                row(
                    [g.group.isEmpty ? "(blank)" : g.group, "\(g.n)", "\(g.speakers)", "\(g.positives)", f(g.auc), f(g.uar), f(g.brier)], gw
                ))
        }
        for gap in perGroup.largestGap {
            out.append("largest \(gap.metric.uppercased()) gap: \(f(gap.gap)) (\(gap.highest) vs \(gap.lowest))")
        }
        out.append("")
        out.append("Flag at threshold \(f(threshold, 2)) at other base rates (from this sensitivity and specificity)")
        let pw = [10, 7, 7]
        out.append(row(["base rate", "PPV", "NPV"], pw))
        for p in ppvNpvAtBaseRate { out.append(row([f(p.baseRate, 2), f(p.ppv), f(p.npv)], pw)) }
        if let ten = ppvNpvAtBaseRate.first(where: { abs($0.baseRate - 0.10) < 1e-12 }), let ppv = ten.ppv, ppv > 0 {
            out.append(
                "At a 10% base rate about \(Int((ppv * 100).rounded())) of every 100 flags point at a positive item "
                    + "(about 1 in \(Int((1 / ppv).rounded()))); the rest are false alarms.")
        }
        if !notes.isEmpty {
            out.append("")
            out.append("Notes")
            for n in notes { out.append("- \(n)") }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
