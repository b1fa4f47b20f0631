package dev.inkbox.core

import com.sun.net.httpserver.HttpServer
import java.net.InetAddress
import java.net.InetSocketAddress
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** Counts the sends and records the sleeps of the transport it wraps. */
class CountingTransport(private val inner: HttpTransport = HttpClientTransport()) : HttpTransport {
    val sends = AtomicInteger()
    val sleeps = mutableListOf<ULong>()
    val idempotencyKeys = mutableListOf<String?>()

    override suspend fun send(request: HttpRequest, timeoutMs: ULong): HttpResponse {
        sends.incrementAndGet()
        synchronized(idempotencyKeys) {
            idempotencyKeys.add(request.headers().firstOrNull { it.name.equals("Idempotency-Key", true) }?.value)
        }
        return inner.send(request, timeoutMs)
    }

    override suspend fun sleep(ms: ULong) {
        synchronized(sleeps) { sleeps.add(ms) }
        inner.sleep(ms)
    }
}

/** Against a real emulator on 127.0.0.1 (started once for the class, stopped after it). */
class EmulatorTest : EmulatorSuite() {

    @Test
    fun errorCodesFromRealResponses(): Unit = runBlocking {
        emu.client().use { client ->
            val e = assertFailsWith<InkboxException> { client.identities().get("no-such-agent") }
            assertTrue(e is InkboxException.Api, "a 404 is an InkboxAPIError: $e")
            assertEquals("api.not_found", e.code)
            assertEquals(404.toUShort(), e.statusCode)
            assertEquals("InkboxAPIError", e.className)
            assertNotNull(e.detail)
            // A taken handle is HandleUnavailableError with its namespace.
            client.identities().create("kt-taken")
            val taken = assertFailsWith<InkboxException> { client.identities().create("kt-taken") }
            assertTrue(taken is InkboxException.HandleUnavailable, "$taken")
            assertEquals("api.handle_unavailable", taken.code)
            assertEquals(409.toUShort(), taken.statusCode)
        }
        // A wrong key: 401, and the key is in no message.
        Inkbox("ApiKey_wrong-and-secret", baseUrl = emu.url).use { bad ->
            val e = assertFailsWith<InkboxException> { bad.identities().list() }
            assertEquals("api.unauthorized", e.code)
            assertEquals(401.toUShort(), e.statusCode)
            assertTrue("wrong-and-secret" !in e.toString() && "wrong-and-secret" !in (e.message ?: ""))
        }
    }

    @Test
    fun validationErrorsBeforeAnyRequest(): Unit = runBlocking {
        val t = CountingTransport()
        emu.client(transport = t).use { client ->
            val e = assertFailsWith<InkboxException> { client.identities().get("") }
            assertTrue(e is InkboxException.Validation, "$e")
            assertEquals("api.validation", e.code)
            assertEquals(0, t.sends.get(), "refused before the wire")
        }
        val e = assertFailsWith<InkboxException> { Inkbox("k", baseUrl = "not a url") }
        assertEquals("api.validation", e.code)
        assertFailsWith<InkboxException> { Inkbox("", baseUrl = emu.url) }
    }

    @Test
    fun a429IsRetriedAfterItsRetryAfter(): Unit = runBlocking {
        val t = CountingTransport()
        emu.client(transport = t).use { client ->
            emu.fault("""{"count": 1, "status": 429, "retry_after": 1, "path_prefix": "/api/v1/identities"}""")
            val list = client.identities().list()
            assertTrue(list.isNotEmpty() || list.isEmpty())
            assertEquals(2, t.sends.get(), "one 429, then the answer")
            assertEquals(1, t.sleeps.size)
            assertTrue(t.sleeps[0] >= 1000uL, "slept the Retry-After: ${t.sleeps}")
        }
    }

    @Test
    fun retriesEndWithTheTypedErrorAndRetryAfter(): Unit = runBlocking {
        val t = CountingTransport()
        emu.client(maxRetries = 1u, transport = t).use { client ->
            emu.fault("""{"count": 2, "status": 429, "retry_after": 1, "path_prefix": "/api/v1/identities"}""")
            val e = assertFailsWith<InkboxException> { client.identities().list() }
            assertEquals("api.rate_limited", e.code)
            assertEquals(429.toUShort(), e.statusCode)
            assertEquals(1.0, e.retryAfterSeconds)
            assertEquals(2, t.sends.get(), "maxRetries = 1: two attempts")
        }
        emu.control("DELETE", "/_emulator/faults")
    }

    @Test
    fun aPostKeepsOneIdempotencyKeyAcrossRetries(): Unit = runBlocking {
        val t = CountingTransport()
        emu.client(transport = t).use { client ->
            emu.fault("""{"count": 1, "status": 503, "path_prefix": "/api/v1/identities"}""")
            val id = client.identities().create("kt-idem")
            assertEquals("kt-idem", id.agentHandle)
            assertEquals(2, t.sends.get())
            val keys = t.idempotencyKeys
            assertTrue(keys[0] != null && keys[0] == keys[1], "the same key on both attempts: $keys")
        }
    }

    @Test
    fun aThrowingTransportIsATypedError(): Unit = runBlocking {
        val throwing = object : HttpTransport {
            override suspend fun send(request: HttpRequest, timeoutMs: ULong): HttpResponse =
                throw IllegalStateException("boom")
            override suspend fun sleep(ms: ULong) {}
        }
        Inkbox("k", baseUrl = emu.url, transport = throwing).use { client ->
            val e = assertFailsWith<InkboxException> { client.identities().list() }
            assertTrue(e is InkboxException.Transport, "$e")
            assertTrue(e.code.startsWith("transport."), e.code)
        }
        val refusing = object : HttpTransport {
            override suspend fun send(request: HttpRequest, timeoutMs: ULong): HttpResponse =
                throw TransportException.Connect("refused")
            override suspend fun sleep(ms: ULong) {}
        }
        Inkbox("k", baseUrl = emu.url, maxRetries = 0u, transport = refusing).use { client ->
            val e = assertFailsWith<InkboxException> { client.identities().list() }
            assertEquals("transport.connect", e.code)
        }
    }

    @Test
    fun identityScopedMethodsBindTheIdentity(): Unit = runBlocking {
        emu.client().use { client ->
            val peer = client.identity(client.identities().create("kt-scoped-peer"))
            client.identities().create("kt-scoped")
            val agent = client.getIdentity("kt-scoped")
            assertEquals("kt-scoped", agent.agentHandle())
            val sent = peer.sendEmail(listOf(agent.emailAddress()!!), "scoped", bodyText = "bound")
            assertEquals("scoped", sent.subject)
            val mine = items(agent.iterEmails()::nextPage).toList()
            assertEquals(listOf("scoped"), mine.map { it.subject })
            assertEquals("bound", agent.getMessage(mine[0].id).bodyText)
            // No number: a phone-bound method is refused before any request.
            val e = assertFailsWith<InkboxException> { agent.listTexts() }
            assertEquals("identity.unbound", e.code)
            assertTrue("kt-scoped" in e.description, e.description)
            agent.delete()
            assertFailsWith<InkboxException.Api> { agent.refresh() }
        }
    }

    @Test
    fun paginationWalksEveryPage(): Unit = runBlocking {
        emu.client().use { client ->
            val sender = client.identities().create("kt-pager-from")
            val receiver = client.identities().create("kt-pager-to")
            val from = sender.emailAddress!!
            val to = receiver.emailAddress!!
            repeat(5) { i -> client.messages().send(from, listOf(to), "page test $i", bodyText = "hello $i") }
            val pager = client.messages().list(from, pageSize = 2)
            val pages = pages(pager::nextPage).toList()
            assertEquals(listOf(2, 2, 1), pages.map { it.size }, "5 sent messages in pages of 2")
            assertEquals(null, pager.nextPage(), "a finished pager stays finished")
            val all = items(client.messages().list(from, pageSize = 2)::nextPage).toList()
            assertEquals(5, all.map { it.id }.toSet().size)
            assertTrue(all.all { it.direction == MessageDirection.Outbound })
        }
    }

    @Test
    fun smokeFlowIdentityMailVaultTotpWebhook(): Unit = runBlocking {
        val deliveries = LinkedBlockingQueue<Pair<ByteArray, List<HttpHeader>>>()
        val server = HttpServer.create(InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0)
        server.createContext("/hook") { ex ->
            val body = ex.requestBody.readAllBytes()
            val headers = ex.requestHeaders.flatMap { (k, vs) -> vs.map { HttpHeader(k, it) } }
            deliveries.add(body to headers)
            ex.sendResponseHeaders(204, -1)
            ex.close()
        }
        server.start()
        try {
            emu.client().use { client ->
                // An identity with its mailbox, and a sender.
                val agent = client.identities().create("kt-smoke", displayName = "Kotlin smoke")
                val peer = client.identities().create("kt-smoke-peer")
                val mailbox = client.mailboxes().get(agent.emailAddress!!)
                assertEquals(agent.emailAddress, mailbox.emailAddress)

                // Webhooks: a signing key, a subscription on 127.0.0.1.
                val key = Json.parseToJsonElement(client.callJson("signing_keys.create"))
                    .jsonObject.getValue("signing_key").jsonPrimitive.content
                val hook = "http://127.0.0.1:${server.address.port}/hook"
                val sub = client.webhookSubscriptions().create(hook, listOf(EventType.MessageReceived), mailboxId = mailbox.id)
                assertEquals(hook, sub.url)

                // Mail: send and read it back.
                val sent = client.messages().send(peer.emailAddress!!, listOf(agent.emailAddress!!), "Hello from Kotlin", bodyText = "Hi!")
                assertEquals("Hello from Kotlin", sent.subject)
                val inbox = items(client.messages().list(agent.emailAddress!!)::nextPage).toList()
                val received = inbox.first { it.subject == "Hello from Kotlin" }
                val detail = client.messages().get(agent.emailAddress!!, received.id)
                assertEquals("Hi!", detail.bodyText)

                // The signed delivery arrives and verifies; a forged one does not.
                val (body, headers) = deliveries.poll(30, TimeUnit.SECONDS) ?: error("no webhook delivery within 30 s")
                assertEquals(null, verifyWebhook(body, headers, listOf(key), toleranceSeconds = 86_400uL))
                assertTrue(verifyWebhookCompat(body, headers, key))
                val forged = body.copyOf().also { it[0] = 'X'.code.toByte() }
                assertEquals("webhook.signature_mismatch", verifyWebhook(forged, headers, listOf(key), toleranceSeconds = 86_400uL))
                assertTrue(String(body).contains("message.received"))

                // Vault: initialize, unlock, a login with TOTP, its code.
                val vaultKey = "Kotlin-Smoke-Key-42!"
                val init = client.vault().initialize(vaultKey)
                assertEquals(4, init.recoveryCodes().size)
                assertTrue(init.recoveryCodes()[0] !in init.toString())
                val vault = client.vault().unlock(vaultKey)
                val login = """{"username": "agent@example.com", "password": "hunter2-but-longer"}"""
                val meta = vault.createSecret("Example login", login, description = "smoke")
                assertEquals("login", meta.secretType.let { if (it is SecretType.Login) "login" else it.toString() })
                val uri = "otpauth://totp/Example:agent?secret=JBSWY3DPEHPK3PXP&issuer=Example"
                val withTotp = vault.setTotp(meta.id, uri)
                val now = unixNow()
                val code = withTotp.totpCode(now)
                assertEquals(TotpConfig.fromUri(uri).generate(now).code, code.code)
                val reread = client.vault().unlock(vaultKey).secret(meta.id) ?: error("the new secret is in the bundle")
                assertEquals("Example login", reread.name())
                assertTrue(reread.payloadJson().contains("hunter2-but-longer"))
                assertTrue("hunter2" !in reread.toString(), "the payload is not in toString")
                assertEquals(code.code, client.vault().unlock(vaultKey).getSecret(meta.id).totpCode(now).code)
                val wrong = assertFailsWith<InkboxException> { client.vault().unlock("Wrong-Key-Entirely-1") }
                assertTrue(wrong.code.startsWith("vault.") || wrong.code.startsWith("api."), wrong.code)
            }
        } finally {
            server.stop(0)
        }
    }
}
