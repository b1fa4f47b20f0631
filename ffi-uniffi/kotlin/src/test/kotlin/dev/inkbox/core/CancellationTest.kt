package dev.inkbox.core

import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/**
 * A cancelled coroutine leaves no request behind: uniffi drops the Rust
 * future, which drops the transport's pending `send`, which cancels the
 * transport's coroutine. No network: the transport hangs until cancelled.
 */
class CancellationTest {
    /** A transport whose every `send` hangs until its coroutine is cancelled. */
    class HangingTransport : HttpTransport {
        val sends = AtomicInteger()
        val started = CompletableDeferred<Unit>()
        val cancelled = CompletableDeferred<Throwable>()

        override suspend fun send(request: HttpRequest, timeoutMs: ULong): HttpResponse {
            sends.incrementAndGet()
            started.complete(Unit)
            try {
                awaitCancellation()
            } catch (e: CancellationException) {
                cancelled.complete(e)
                throw e
            }
        }

        override suspend fun sleep(ms: ULong) {}
    }

    @Test
    fun aCancelledCallCancelsTheTransportsSend(): Unit = runBlocking {
        val t = HangingTransport()
        Inkbox("k", baseUrl = "http://127.0.0.1:9", transport = t).use { client ->
            val job = launch(Dispatchers.Default) { client.identities().list() }
            withTimeout(10_000) { t.started.await() }
            job.cancelAndJoin()
            assertTrue(job.isCancelled)
            // The transport's coroutine was cancelled too, not left waiting for its timeout.
            val why = withTimeout(10_000) { t.cancelled.await() }
            assertTrue(why is CancellationException, "$why")
            assertEquals(1, t.sends.get(), "no retry after the cancellation")
        }
    }

    @Test
    fun aPagerCancelledMidPageSaysSoAndSendsNothingMore(): Unit = runBlocking {
        val t = HangingTransport()
        Inkbox("k", baseUrl = "http://127.0.0.1:9", transport = t).use { client ->
            val pager = client.messages().list("agent@inkbox.test")
            val job = launch(Dispatchers.Default) { pager.nextPage() }
            withTimeout(10_000) { t.started.await() }
            job.cancelAndJoin()
            withTimeout(10_000) { t.cancelled.await() }
            // The flow went with the cancelled call: the pager refuses to go on.
            val e = assertFailsWith<InkboxException> { pager.nextPage() }
            assertTrue(e is InkboxException.Flow, "$e")
            assertEquals("flow.out_of_order", e.code)
            assertTrue("cancelled" in e.description, e.description)
            assertEquals(1, t.sends.get())
        }
    }
}
