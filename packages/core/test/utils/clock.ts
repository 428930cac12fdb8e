import * as TestClock from "effect/TestClock"

/** Sets the `TestClock` to `ms` (time since the test started), running what is due on the way. */
export const at = (ms: number) => TestClock.setTime(ms)
