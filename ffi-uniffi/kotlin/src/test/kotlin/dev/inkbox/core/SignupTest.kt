package dev.inkbox.core

import java.util.UUID
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/**
 * The client's class methods (agent self-signup, generated from
 * `[[client.static]]`), called with no client and no API key against a fresh
 * emulator; the verification code is read from its control plane.
 */
class SignupTest : EmulatorSuite() {

    /** The verification code the emulator mailed for the agent `handle`. */
    private fun codeFor(handle: String): String {
        val agents = emu.control("GET", "/_emulator/signup")!!.jsonObject.getValue("agents").jsonArray
        val agent = agents.single { it.jsonObject.getValue("agent_handle").jsonPrimitive.content == handle }
        return agent.jsonObject.getValue("verification_code").jsonPrimitive.content
    }

    @Test
    fun signupStatusVerifyResendAndTheKeyWorks(): Unit = runBlocking {
        val handle = "kt-sig-${UUID.randomUUID().toString().take(8)}"
        InkboxStatics(baseUrl = emu.url).use { statics ->
            val key = statics.signup("owner@example.com", noteToHuman = "hello from Kotlin", agentHandle = handle).use { result ->
                assertEquals(handle, result.agentHandle())
                assertEquals("$handle@inkboxmail.com", result.emailAddress())
                assertEquals(ClaimStatus.AgentUnclaimed, result.claimStatus())
                assertEquals("owner@example.com", result.humanEmail())
                assertTrue(result.organizationId().isNotEmpty())
                val key = result.apiKey()
                assertTrue(key.startsWith("ApiKey_"), "a signup key")
                // The secret stays out of the object's text.
                assertEquals("AgentSignupResponse(<redacted>)", result.toString())
                assertTrue(key !in result.toString())
                key
            }

            val status = statics.getSignupStatus(key)
            assertEquals(ClaimStatus.AgentUnclaimed, status.claimStatus)
            assertEquals(listOf("owner@example.com"), status.restrictions.allowedRecipients)
            assertEquals(10L, status.restrictions.maxSendsPerDay)

            val code = codeFor(handle)
            val wrong = if (code == "000000") "111111" else "000000"
            val refused = assertFailsWith<InkboxException.Api> { statics.verifySignup(key, wrong) }
            assertEquals(401.toUShort(), refused.statusCode)
            assertEquals("api.invalid_verification_code", refused.code)
            assertTrue(key !in refused.toString() && code !in refused.toString())
            // Within 5 minutes of the first email: the cooldown's 429, not retried
            // (its Retry-After is beyond what the engine waits for).
            val cooldown = assertFailsWith<InkboxException.Api> { statics.resendSignupVerification(key) }
            assertEquals(429.toUShort(), cooldown.statusCode)
            assertEquals("api.too_many_attempts", cooldown.code)
            assertTrue(assertNotNull(cooldown.retryAfterSeconds) > 60.0)

            val claimed = statics.verifySignup(key, code)
            assertEquals(ClaimStatus.AgentClaimed, claimed.claimStatus)
            val after = statics.getSignupStatus(key)
            assertEquals(ClaimStatus.AgentClaimed, after.claimStatus)
            assertEquals(500L, after.restrictions.maxSendsPerDay)
            assertEquals(ClaimStatus.AgentClaimed, statics.resendSignupVerification(key).claimStatus)

            // The signup key is a working API key of the agent's organization.
            Inkbox(key, baseUrl = emu.url).use { agent ->
                val who = Json.parseToJsonElement(agent.callJson("whoami.get")).jsonObject
                assertEquals("api_key", who.getValue("auth_type").jsonPrimitive.content)
                assertEquals(claimed.organizationId, who.getValue("organization_id").jsonPrimitive.content)
            }
        }
    }

    @Test
    fun unsetFieldsAreOmittedAndBadArgumentsRefused(): Unit = runBlocking {
        InkboxStatics(baseUrl = emu.url).use { statics ->
            // Core's builder refuses these before any request.
            val email = assertFailsWith<InkboxException.Validation> { statics.signup("not-an-email", noteToHuman = "hi") }
            assertEquals("human_email", email.fieldName)
            val digits = assertFailsWith<InkboxException.Validation> { statics.verifySignup("ApiKey_x", "12345") }
            assertEquals("verification_code", digits.fieldName)
            // No handle given: the emulator picks one (nothing was sent as null).
            statics.signup("owner@example.com", noteToHuman = "no handle").use { assertTrue(it.agentHandle().isNotEmpty()) }
            // A key the server does not know.
            val bogus = assertFailsWith<InkboxException.Api> { statics.getSignupStatus("ApiKey_bogus") }
            assertEquals(401.toUShort(), bogus.statusCode)
            assertEquals("api.unauthorized", bogus.code)
        }
    }
}
