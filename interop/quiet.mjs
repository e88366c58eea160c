// Imported before the SDK, whose loggers bind the console's methods when they are created: the SDK and its Rust
// crypto log every request, sync step and key share, which buried the suite's one line per check. The suite
// writes its own lines to process.stdout. INTEROP_VERBOSE=1 keeps the SDK's logs for debugging.
if (process.env.INTEROP_VERBOSE !== "1") {
  for (const method of ["log", "info", "debug", "trace", "warn", "error"]) console[method] = () => {};
}
