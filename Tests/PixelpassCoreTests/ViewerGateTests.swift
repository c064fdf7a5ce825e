import Testing
@testable import PixelpassCore

@Suite struct ViewerGateTests {
    private let alice = ViewerGate.Request(id: "3f2a0001", name: "alice", address: "10.0.0.2:5000")
    private let bob = ViewerGate.Request(id: "b0b00002", name: nil, address: "10.0.0.3:5000")

    @Test func withoutApprovalEveryoneButTheBannedPasses() {
        var gate = ViewerGate(approvalRequired: false)
        let verdict1 = gate.check(key: "A", alice)
        #expect(verdict1 == .pass)
        gate.ban(key: "A")
        let verdict2 = gate.check(key: "A", alice)
        #expect(verdict2 == .banned)
        let verdict3 = gate.check(key: "B", bob)
        #expect(verdict3 == .pass)
    }

    @Test func aNewViewerIsAskedAboutOnceAndWaitsForTheAnswer() {
        var gate = ViewerGate(approvalRequired: true)
        let verdict4 = gate.check(key: "A", alice)
        #expect(verdict4 == .wait(ask: true))
        let verdict5 = gate.check(key: "A", alice)
        #expect(verdict5 == .wait(ask: false))
        #expect(gate.waiting == [alice])
        let answered = gate.answer(id: "3f2a0001", allow: true)
        #expect(answered == "A")
        let verdict1 = gate.check(key: "A", alice)
        #expect(verdict1 == .pass)
        #expect(gate.waiting.isEmpty)
    }

    @Test func aDeniedViewerIsAskedAboutAgainNextTime() {
        var gate = ViewerGate(approvalRequired: true)
        _ = gate.check(key: "B", bob)
        let answered = gate.answer(id: "b0b00002", allow: false)
        #expect(answered == "B")
        let verdict6 = gate.check(key: "B", bob)
        #expect(verdict6 == .wait(ask: true))
    }

    @Test func anAnswerForNobodyWaitingIsNil() {
        var gate = ViewerGate(approvalRequired: true)
        let answered = gate.answer(id: "nobody", allow: true)
        #expect(answered == nil)
    }

    @Test func aViewerThatLeavesStopsWaiting() {
        var gate = ViewerGate(approvalRequired: true)
        _ = gate.check(key: "A", alice)
        let first = gate.withdraw(key: "A")
        let second = gate.withdraw(key: "A")
        #expect(first && !second)
        #expect(gate.waiting.isEmpty)
    }

    @Test func kickingAnAllowedViewerKeepsItOut() {
        var gate = ViewerGate(approvalRequired: true)
        _ = gate.check(key: "A", alice)
        _ = gate.answer(id: alice.id, allow: true)
        gate.ban(key: "A")
        let verdict2 = gate.check(key: "A", alice)
        #expect(verdict2 == .banned)
    }

    @Test func turningApprovalOffLetsTheWaitingIn() {
        var gate = ViewerGate(approvalRequired: true)
        _ = gate.check(key: "A", alice)
        _ = gate.check(key: "B", bob)
        let letIn = gate.setApprovalRequired(false)
        #expect(letIn == ["A", "B"])
        let verdict1 = gate.check(key: "A", alice)
        #expect(verdict1 == .pass)
        #expect(gate.waiting.isEmpty)
    }
}
