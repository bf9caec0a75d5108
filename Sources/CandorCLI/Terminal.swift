#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Colour for verdict-free status words (INTACT, NOT INTACT) on standard output: only when it
/// is a terminal, and never when `NO_COLOR` is set (https://no-color.org) or `TERM=dumb`.
enum Terminal {
    enum Colour: String {
        case red = "31"
        case green = "32"
    }

    static let colours: Bool = {
        if let v = getenv("NO_COLOR"), v.pointee != 0 { return false }
        if let t = getenv("TERM"), String(cString: t) == "dumb" { return false }
        return isatty(1) == 1
    }()

    static func paint(_ text: String, _ colour: Colour) -> String {
        colours ? "\u{1B}[1;\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }
}
