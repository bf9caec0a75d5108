import Testing
@testable import CandorReport
@Test func placeholderBuild() { #expect(htmlEscape("<") == "&lt;") }
