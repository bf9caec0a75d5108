import CandorCore

/// The texts of the human summary `candor analyze` prints, one instance per language (the
/// memberwise initialiser makes a missing text a compile error). Templates carry `{0}`, `{1}`….
struct SummaryStrings: Sendable {
    var header: String
    var channel: String
    var monoRoles: String
    var f0: String
    var noVoiced: String
    var silent: String
    var voice: String
    var unreliable: String
    var notAvailable: String
    var timing: String
    var conversation: String
    var conversationMeasured: String
    var estimate: String
    var latencyNone: String
    var latency: String
    var segments: String
    var none: String
    var quality: String
    var abstained: String
    var models: String
    var written: String
    var separator: String

    func fill(_ template: String, _ values: String...) -> String { fillTemplate(template, values) }

    static func of(_ language: InterfaceLanguage) -> SummaryStrings {
        language == .traditionalChinese ? traditionalChinese : english
    }

    static let english = SummaryStrings(
        header: "{0}: {1} s, {2} Hz, {3} channel(s), {4}\n",
        channel: "  channel {0} [{1}]: {2}, voiced {3}% of frames, intensity {4}\n",
        monoRoles: "{0}, one channel",
        f0: "mean F0 {0} Hz (median {1}, SD {2})",
        noVoiced: "no voiced frames",
        silent: "silent",
        voice: "    voice: jitter {0}, shimmer {1}, HNR {2} ({3} periods{4})\n",
        unreliable: ", unreliable",
        notAvailable: "n/a",
        timing: "    timing: speech {0} s, {1} pause(s) ({2} s), speech rate {3}\n",
        conversation: "  conversation{0}: {1} turn(s); talk share {2}; response latency {3}; {4} overlap(s), {5} interruption(s)\n",
        conversationMeasured:
            "  conversation{0}: {1} turn(s); talk share (own-voice speaking time) {2}; response latency {3}; {4} overlap(s); {5} interruption(s){6}; {7} backchannel(s)\n",
        estimate: " (two-speaker estimate from one channel)",
        latencyNone: "none",
        latency: "median {0} s over {1}",
        segments: "  segments: {0}; flagged for follow-up: {1}\n",
        none: "none",
        quality: "  interview quality index: {0}\n",
        abstained: "abstained ({0})",
        models: "  models: {0}\n",
        written: "  analysis written to {0}\n",
        separator: ", ")

    static let traditionalChinese = SummaryStrings(
        header: "{0}：{1} 秒，{2} 赫茲，{3} 個聲道，{4}\n",
        channel: "  聲道 {0}［{1}］：{2}，有聲音框佔 {3}%，音強 {4}\n",
        monoRoles: "{0}，同一聲道",
        f0: "平均基頻 {0} 赫茲（中位數 {1}，標準差 {2}）",
        noVoiced: "沒有有聲音框",
        silent: "無聲",
        voice: "    嗓音：局部抖動 {0}，局部振幅微擾 {1}，諧噪比 {2}（{3} 個聲門週期{4}）\n",
        unreliable: "，不可靠",
        notAvailable: "無法取得",
        timing: "    時間：語音 {0} 秒，停頓 {1} 次（{2} 秒），語速 {3}\n",
        conversation: "  對話{0}：話輪 {1} 個；發言比例 {2}；回應延遲 {3}；語音重疊 {4} 次，打斷 {5} 次\n",
        conversationMeasured: "  對話{0}：話輪 {1} 個；發言比例（本人語音的說話時間）{2}；回應延遲 {3}；語音重疊 {4} 次；打斷 {5} 次{6}；附和語 {7} 次\n",
        estimate: "（由單一聲道估計）",
        latencyNone: "無",
        latency: "中位數 {0} 秒，共 {1} 次",
        segments: "  段落：{0} 個；建議追問：{1}\n",
        none: "無",
        quality: "  詢問品質指數：{0}\n",
        abstained: "不予評分（{0}）",
        models: "  模型：{0}\n",
        written: "  分析結果已寫入 {0}\n",
        separator: "、")
}
