// Private: the thread pool loops libgrid's modules share (validate, assign, ...). Workers pull
// task indices from one atomic counter; the first exception stops the others and is rethrown
// in the caller once every thread has joined.
#pragma once

#include <cstddef>
#include <functional>

namespace grid::detail {

/// Runs fn(i) for i in [0, n) on up to `threads` threads (the caller's included). The first
/// exception thrown by fn is rethrown here after all threads stopped. GEOS objects must not
/// cross iterations run on different threads: pass WKB.
void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& fn);

/// Returns the next task index, or no_task when all are taken (or a worker failed).
using NextTask = std::function<std::size_t()>;
constexpr std::size_t no_task = static_cast<std::size_t>(-1);
/// Runs worker(next) once on each of up to `threads` threads; each worker pulls task indices in
/// [0, n) from next(). For per-thread state (parsed GEOS geometries, PROJ transformers) that
/// must be made and destroyed on its own thread. The first exception is rethrown here.
void parallel_workers(std::size_t n, unsigned threads, const std::function<void(const NextTask&)>& worker);

/// Threads to use: `requested`, or one per core when 0.
unsigned thread_count(unsigned requested);

} // namespace grid::detail
