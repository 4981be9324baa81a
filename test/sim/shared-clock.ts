// The clock every process on this machine shares, for times one process stamps and another
// compares (when the simulator served a change vs. when a watcher received it): the system's wall
// clock read at that moment (Date.now(), epoch ms). Not performance.timeOrigin +
// performance.now(): that is each process's start time plus its own monotonic time, and two
// processes' disagree by milliseconds (a change was seen "served" 2 ms after it was received).
// Its own file so that a process measuring itself (bench/watcher-scale.ts) loads none of the simulator.
export const sharedNow = (): number => Date.now();
