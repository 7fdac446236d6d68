// Constraints in the configuration: the shared textual form of `Constraints`
// (`audit,no-export,rate=3,label=2`, `none`, or a number), with reserved bits refused.

import Pipeline

/// Parses constraints as tools write them (`Constraints(parsing:)`), and refuses a number
/// that sets reserved bits: a node must never push a header that every node drops.
func parseConstraints(_ text: String) -> Result<UInt32, LoadProblem> {
    let constraints: Constraints
    do {
        constraints = try Constraints(parsing: text)
    } catch {
        return .failure(LoadProblem("\(error)"))
    }
    guard !constraints.hasReservedBits else {
        return .failure(LoadProblem("constraints \(quoted(text)) set reserved bits (3-7 or 24-31); they must be 0"))
    }
    return .success(constraints.rawValue)
}
