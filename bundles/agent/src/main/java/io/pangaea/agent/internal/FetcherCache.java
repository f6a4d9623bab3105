package io.pangaea.agent.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fetcher's cache for URIs marked {@code cache: true}, as Mesos's agent keeps one: each URI is downloaded once
 * into {@code fetcher_cache_dir} and copied into the sandboxes of the tasks that ask for it again. It holds at most
 * {@code fetcher_cache_size} bytes; the least recently used files that no fetch is copying go first when room is
 * needed, and a file bigger than the whole cache is handed over without being kept. Concurrent fetches of one URI
 * share one download. The cache starts empty with each agent process (Mesos does not recover it either).
 */
final class FetcherCache {

    /** Downloads a URI into a file. */
    interface Download {
        void into(Path file) throws Fetcher.FetchException, IOException, InterruptedException;
    }

    /** A file to copy from; closing it lets the cache evict it (or deletes it when it was not kept). */
    static final class Lease implements AutoCloseable {
        final Path file;
        private final Runnable release;

        private Lease(Path file, Runnable release) {
            this.file = file;
            this.release = release;
        }

        @Override
        public void close() {
            release.run();
        }
    }

    private static final class Entry {
        final Path file;
        final CompletableFuture<Long> ready = new CompletableFuture<>();
        long size;
        int leases;

        Entry(Path file) {
            this.file = file;
        }
    }

    private final Path dir;
    private final long capacity;
    /** In access order: the eldest is the least recently used. Guarded by {@code this}. */
    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long used;
    private final AtomicLong names = new AtomicLong();

    FetcherCache(Path dir, long capacity) {
        this.dir = dir;
        this.capacity = capacity;
        // what an earlier agent process left (only the cache's own files, whatever the directory is)
        try (var left = Files.newDirectoryStream(dir, "*.fetched")) {
            left.forEach(FetcherCache::delete);
        } catch (IOException ignored) {
            // no directory yet
        }
    }

    long capacity() {
        return capacity;
    }

    synchronized long used() {
        return used;
    }

    /** Whether {@code key} is cached now (downloaded and kept). */
    synchronized boolean contains(String key) {
        Entry e = entries.get(key);
        return e != null && e.ready.isDone() && !e.ready.isCompletedExceptionally();
    }

    /** The cached file for {@code key}, downloaded first by this call or by a concurrent one if it is not there. */
    Lease get(String key, Download download) throws Fetcher.FetchException, IOException, InterruptedException {
        Entry e;
        boolean mine = false;
        synchronized (this) {
            e = entries.get(key);
            if (e == null || e.ready.isCompletedExceptionally()) {
                e = new Entry(dir.resolve(names.incrementAndGet() + ".fetched"));
                entries.put(key, e);
                mine = true;
            }
            e.leases++;
        }
        if (mine) {
            return fill(key, e, download);
        }
        try {
            e.ready.get();
        } catch (ExecutionException x) {
            release(key, e);
            throw x.getCause() instanceof Fetcher.FetchException f ? f
                    : new Fetcher.FetchException("Failed to fetch '" + key + "': " + x.getCause().getMessage());
        }
        Entry leased = e;
        return new Lease(e.file, () -> release(key, leased));
    }

    private Lease fill(String key, Entry e, Download download)
            throws Fetcher.FetchException, IOException, InterruptedException {
        try {
            Files.createDirectories(dir);
            download.into(e.file);
        } catch (Fetcher.FetchException | IOException | InterruptedException | RuntimeException x) {
            synchronized (this) {
                entries.remove(key, e);
            }
            Files.deleteIfExists(e.file);
            e.ready.completeExceptionally(x);
            throw x;
        }
        long size = Files.size(e.file);
        boolean kept;
        synchronized (this) {
            kept = makeRoom(size, e);
            if (kept) {
                e.size = size;
                used += size;
            } else {
                entries.remove(key, e);
            }
        }
        e.ready.complete(size);
        if (!kept) {
            // too big for the cache (or all of it is being copied from): this fetch and those waiting share it,
            // and the last one to finish deletes it
            return new Lease(e.file, () -> releaseUncached(e));
        }
        return new Lease(e.file, () -> release(key, e));
    }

    /** Evicts unleased entries, least recently used first, until {@code size} more bytes fit. Holds the lock. */
    private boolean makeRoom(long size, Entry incoming) {
        if (size > capacity) {
            return false;
        }
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
             it.hasNext() && used + size > capacity; ) {
            Entry old = it.next().getValue();
            if (old != incoming && old.leases == 0 && old.ready.isDone()) {
                it.remove();
                used -= old.size;
                delete(old.file);
            }
        }
        return used + size <= capacity;
    }

    private synchronized void release(String key, Entry e) {
        e.leases--;
        if (entries.get(key) != e && e.leases == 0) {
            delete(e.file); // evicted or dropped while leased
        }
    }

    private synchronized void releaseUncached(Entry e) {
        if (--e.leases == 0) {
            delete(e.file);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the directory is cleared at the next start
        }
    }
}
