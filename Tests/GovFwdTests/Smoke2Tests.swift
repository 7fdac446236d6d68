import XCTest
@testable import Pipeline
final class Smoke2Tests: XCTestCase { func testNothing() {} }
