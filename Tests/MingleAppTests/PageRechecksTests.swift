import Synchronization
@testable import MingleApp
import Testing

/// One task rechecks every open page: those whose check fails are ended once and forgotten;
/// the others stay.
@Suite struct PageRechecksTests {
    @Test func pagesThatFailTheirCheckAreEndedOnce() async {
        // setup: three pages; the second is no longer admitted; the third closed before the sweep.
        let rechecks = PageRechecks(interval: .seconds(3600))
        let ended = Mutex<[Int]>([])
        var ids: [Int] = []
        for page in 0..<3 {
            ids.append(await rechecks.add(check: { page != 1 }, end: { ended.withLock { $0.append(page) } }))
        }
        await rechecks.remove(ids[2])

        // act: two sweeps
        await rechecks.checkAll()
        await rechecks.checkAll()

        // check: only the second was ended, once; the first is still checked.
        #expect(ended.withLock { $0 } == [1])
        #expect(await rechecks.count == 1)
    }
}
