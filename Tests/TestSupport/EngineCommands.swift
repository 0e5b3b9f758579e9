import Foundation
@testable import SpeedNetworking

extension SpeedNetworkingEngine {
    /// Tests move the clock by hand and call `tick()`: they need the command loop, not the
    /// timers. The loop holds the engine only while carrying out a command, so it ends when
    /// the test lets go of the engine (its deinit ends the command stream).
    public func serveCommandsForTests() {
        Task { [weak self, commands = self.commands] in
            for await command in commands {
                guard let self else { return }
                await self.carryOut(command)
            }
        }
    }
}
