//! Memory the process no longer uses goes back to the OS. The cache start
//! decodes 100k summaries on several threads and sizes its indexes once;
//! what those steps free would otherwise stay resident until the allocator
//! gets round to it (tens of megabytes with 100k orders). Called once, after
//! the first frame from the cache.

/// Returns freed memory of the allocator (mimalloc, the binary's) to the OS.
/// Harmless when mimalloc is not the global allocator (tests): it then
/// holds next to nothing.
pub fn release_freed_memory() {
    // SAFETY: `mi_collect` has no preconditions; it may be called from any
    // thread at any time and only returns unused pages to the OS.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
