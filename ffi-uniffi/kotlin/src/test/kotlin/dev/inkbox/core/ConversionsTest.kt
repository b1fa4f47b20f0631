package dev.inkbox.core

import java.time.OffsetDateTime
import kotlinx.coroutines.runBlocking
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** Conversions across the boundary, with a fake transport (no network). */
class ConversionsTest {
    /** Answers every request with one canned response and remembers the request. */
    class FakeTransport(private val status: Int, private val body: String, private val headers: List<HttpHeader> = emptyList()) : HttpTransport {
        var last: HttpRequest? = null
        override suspend fun send(request: HttpRequest, timeoutMs: ULong): HttpResponse {
            last = request
            return HttpResponse(status.toUShort(), headers + HttpHeader("Content-Type", "application/json"), body.toByteArray())
        }
        override suspend fun sleep(ms: ULong) {}
    }

    private val identityJson = """{"id": "5f0c1f8e-2a55-4b8e-9a51-0b1f4c3a7e10", "organization_id": "org_x",
        "agent_handle": "kt", "display_name": null, "email_address": "kt@inkbox.test",
        "imessage_filter_mode": "a-mode-from-the-future",
        "created_at": "2026-06-10T12:39:00Z", "updated_at": "2026-06-10T12:39:00.250+02:00", "status": "active"}"""

    @Test
    fun modelsCrossAsCoresTypes(): Unit = runBlocking {
        val t = FakeTransport(200, identityJson)
        Inkbox("ApiKey_secret-value", baseUrl = "http://127.0.0.1:9", transport = t).use { client ->
            val id = client.identities().get("kt")
            assertEquals("kt", id.agentHandle)
            assertEquals(null, id.displayName)
            assertEquals(OffsetDateTime.parse("2026-06-10T12:39:00Z"), id.createdAt)
            assertEquals(OffsetDateTime.parse("2026-06-10T12:39:00.250+02:00").toInstant(), id.updatedAt.toInstant())
            // An unknown wire value is kept, never a failure.
            assertEquals(FilterMode.Unknown("a-mode-from-the-future"), id.imessageFilterMode)
            assertEquals(IdentityStatus.Active, id.status)
            // The request: method, URL, the API key header; none of it in toString.
            val req = t.last!!
            assertEquals("GET", req.method())
            assertEquals("http://127.0.0.1:9/api/v1/identities/kt", req.url())
            assertTrue(req.headers().any { it.value == "ApiKey_secret-value" })
            assertTrue("secret-value" !in req.toString())
            assertTrue("secret-value" !in client.toString())
        }
    }

    @Test
    fun anUndecodableBodyIsADecodeError(): Unit = runBlocking {
        Inkbox("k", baseUrl = "http://127.0.0.1:9", transport = FakeTransport(200, "{not json")).use { client ->
            val e = assertFailsWith<InkboxException> { client.identities().get("kt") }
            assertTrue(e is InkboxException.Decode, "$e")
            assertEquals("api.decode", e.code)
            assertEquals(200.toUShort(), e.statusCode)
        }
    }

    @Test
    fun structuredErrorDetailsCross(): Unit = runBlocking {
        val body = """{"detail": {"error": "recipient_blocked", "matched_rule_id": "r-1", "address": "x@y.z", "reason": "blocked by rule"}}"""
        Inkbox("k", baseUrl = "http://127.0.0.1:9", transport = FakeTransport(403, body)).use { client ->
            val e = assertFailsWith<InkboxException> { client.messages().send("a@inkbox.test", listOf("x@y.z"), "s") }
            assertTrue(e is InkboxException.RecipientBlocked, "$e")
            assertEquals("api.recipient_blocked", e.code)
            assertEquals("r-1", e.matchedRuleId)
            assertEquals("x@y.z", e.address)
            assertEquals(403.toUShort(), e.statusCode)
        }
    }

    @Test
    fun badArgumentsAreTypedErrorsNotCrashes(): Unit = runBlocking {
        Inkbox("k", baseUrl = "http://127.0.0.1:9", transport = FakeTransport(200, "{}")).use { client ->
            val e = assertFailsWith<InkboxException> { client.callJson("identities.get", "[1, 2") }
            assertEquals("api.validation", e.code)
            val unknown = assertFailsWith<InkboxException> { client.callJson("no.such.operation") }
            assertTrue(unknown.code.startsWith("api."), unknown.code)
            assertEquals("null", client.callJson("identities.delete", """{"path": {"handle": "kt"}}"""))
            assertTrue("identities.create" in client.operations())
        }
        assertFailsWith<InkboxException> { TotpConfig("not base32 !!", digits = 7u) }
        assertFailsWith<InkboxException> { verifyWebhook(ByteArray(0), emptyList(), emptyList()) }
    }
}
