// CandorSynth: deterministic synthetic voices with known truth (pulse times, F0, jitter,
// shimmer), for testing the analysis modules against ground truth.
@_exported import CandorCore
import Foundation
