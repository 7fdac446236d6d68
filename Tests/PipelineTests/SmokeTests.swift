import XCTest
@testable import Pipeline
final class SmokeTests: XCTestCase { func testNothing() {} }
