#include "detail/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace grid::detail {

unsigned thread_count(unsigned requested) {
    if (requested > 0) {
        return requested;
    }
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
}

void parallel_workers(std::size_t n, unsigned threads, const std::function<void(const NextTask&)>& worker) {
    if (n == 0) {
        return;
    }
    threads = std::max(1U, std::min<unsigned>(threads, static_cast<unsigned>(std::min<std::size_t>(n, 1024))));
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr first;
    std::mutex first_mutex;
    const NextTask fetch = [&]() -> std::size_t {
        if (stop.load(std::memory_order_relaxed)) {
            return no_task;
        }
        const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
        return i < n ? i : no_task;
    };
    auto run = [&] {
        try {
            worker(fetch);
        } catch (...) {
            std::lock_guard<std::mutex> lock(first_mutex);
            if (!first) {
                first = std::current_exception();
            }
            stop = true;
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) {
        pool.emplace_back(run);
    }
    run();
    for (auto& t : pool) {
        t.join();
    }
    if (first) {
        std::rethrow_exception(first);
    }
}

void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& fn) {
    parallel_workers(n, threads, [&](const NextTask& next) {
        for (std::size_t i = next(); i != no_task; i = next()) {
            fn(i);
        }
    });
}

} // namespace grid::detail
