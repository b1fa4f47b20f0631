package dev.inkbox.core

import java.io.File
import java.util.Base64
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.boolean
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import kotlin.test.fail
import org.junit.jupiter.api.Test

/** The shared vectors (tests/vectors, or $INKBOX_VECTORS_DIR) through the Kotlin surface. */
class VectorsTest {
    private fun load(name: String): JsonObject =
        Json.parseToJsonElement(File(vectorsDir(), name).readText()).jsonObject

    private fun JsonElement.str(key: String): String = jsonObject.getValue(key).jsonPrimitive.content
    private fun JsonElement.strOrNull(key: String): String? =
        jsonObject[key]?.takeIf { it !is JsonNull }?.jsonPrimitive?.content
    private fun JsonElement.list(key: String): JsonArray = jsonObject.getValue(key).jsonArray

    private fun headers(case: JsonElement): List<HttpHeader> =
        case.list("headers").map { HttpHeader(it.jsonArray[0].jsonPrimitive.content, it.jsonArray[1].jsonPrimitive.content) }

    @Test
    fun webhookCasesDecideAsTheReference() {
        val v = load("webhook.json")
        var n = 0
        for (case in v.list("cases")) {
            val body = Base64.getDecoder().decode(case.str("body_b64"))
            val expected = case.jsonObject.getValue("expected").jsonPrimitive.boolean
            if (case.str("secret").removePrefix("whsec_").isEmpty()) {
                // Core's one deliberate deviation (VerifyOptions::compat): an empty
                // key is a misconfigured receiver, refused with a typed error.
                val e = assertFailsWith<InkboxException>(case.str("name")) {
                    verifyWebhookCompat(body, headers(case), case.str("secret"))
                }
                assertEquals("webhook.empty_secret", e.code)
                n++
                continue
            }
            assertEquals(expected, verifyWebhookCompat(body, headers(case), case.str("secret")), case.str("name"))
            n++
        }
        // Where the reference throws (a non-ASCII signature), a port answers false.
        for (case in v.list("quirk_cases")) {
            val body = Base64.getDecoder().decode(case.str("body_b64"))
            assertFalse(verifyWebhookCompat(body, headers(case), case.str("secret")), case.str("name"))
            n++
        }
        assertTrue(n > 10, "only $n webhook cases")
    }

    @Test
    fun webhookStrictModeReasonsAndSeveralSecrets(): Unit = runBlocking {
        val payload = """{"event_type":"message.received"}""".toByteArray()
        val now = unixNow()
        val signed = signWebhook(payload, "whsec_abc", "req-1", now.toString())
        assertEquals(null, verifyWebhook(payload, signed, listOf("whsec_abc")))
        assertEquals(null, verifyWebhook(payload, signed, listOf("whsec_old", "whsec_abc")), "rotation: any secret")
        assertEquals("webhook.signature_mismatch", verifyWebhook(payload, signed, listOf("whsec_other")))
        val stale = signWebhook(payload, "whsec_abc", "req-1", (now - 3600uL).toString())
        val reason = verifyWebhook(payload, stale, listOf("whsec_abc"))
        assertTrue(reason != null && reason.startsWith("webhook."), "stale delivery refused: $reason")
        assertTrue(verifyWebhookCompat(payload, stale, "whsec_abc"), "compat has no freshness check")
        assertEquals(null, verifyWebhook(payload, stale, listOf("whsec_abc"), toleranceSeconds = 7200uL))
        val noId = signed.filter { it.name != "x-inkbox-request-id" }
        assertTrue(verifyWebhook(payload, noId, listOf("whsec_abc")) != null, "strict requires the ids")
        // A misconfigured receiver is an error, not an answer.
        val e = assertFailsWith<InkboxException> { verifyWebhook(payload, signed, listOf("")) }
        assertEquals("InkboxWebhookError", e.className)
        assertTrue(e.code.startsWith("webhook."))
    }

    private fun config(c: JsonElement): TotpConfig = TotpConfig(
        secret = c.str("secret"),
        algorithm = c.str("algorithm"),
        digits = c.jsonObject.getValue("digits").jsonPrimitive.int.toUInt(),
        period = c.jsonObject.getValue("period").jsonPrimitive.int.toUInt(),
        issuer = c.strOrNull("issuer"),
        accountName = c.strOrNull("account_name"),
    )

    @Test
    fun totpGenerationCases() {
        val v = load("totp.json")
        var n = 0
        for (key in listOf("rfc6238", "generate")) {
            for (case in v.list(key)) {
                val time = case.jsonObject.getValue("time").jsonPrimitive.content.toDouble().toLong().toULong()
                val got = config(case.jsonObject.getValue("config")).generate(time)
                val want = case.jsonObject.getValue("expected")
                val name = case.str("name")
                assertEquals(want.str("code"), got.code, name)
                assertEquals(want.jsonObject.getValue("counter").jsonPrimitive.long.toULong(), got.counter, name)
                assertEquals(want.jsonObject.getValue("period_start").jsonPrimitive.long.toULong(), got.periodStart, name)
                assertEquals(want.jsonObject.getValue("period_end").jsonPrimitive.long.toULong(), got.periodEnd, name)
                assertEquals(want.jsonObject.getValue("seconds_remaining").jsonPrimitive.long.toULong(), got.secondsRemaining, name)
                assertTrue(config(case.jsonObject.getValue("config")).verify(got.code, time, 0u), name)
                n++
            }
        }
        assertEquals(38, n)
    }

    @Test
    fun totpConfigsFromLoginJsonAndErrors() {
        val v = load("totp.json")
        for (case in v.list("config_valid")) {
            val c = TotpConfig.fromJson(case.jsonObject.getValue("input").toString())
            val want = case.jsonObject.getValue("expected")
            assertEquals(want.str("secret"), c.secret(), case.str("name"))
            assertEquals(want.str("algorithm"), c.algorithm(), case.str("name"))
            assertEquals(want.jsonObject.getValue("digits").jsonPrimitive.int.toUInt(), c.digits())
            assertEquals(want.jsonObject.getValue("period").jsonPrimitive.long.toULong(), c.period())
        }
        for (case in v.list("config_errors")) {
            val e = assertFailsWith<InkboxException>(case.str("name")) {
                TotpConfig.fromJson(case.jsonObject.getValue("config").toString())
            }
            assertTrue(e.code.startsWith("totp."), "${case.str("name")}: ${e.code}")
            assertEquals("InkboxTOTPError", e.className)
        }
    }

    @Test
    fun otpauthUrisParseOrFailTyped() {
        val v = load("totp.json")
        for (case in v.list("uri_valid")) {
            val c = TotpConfig.fromUri(case.str("uri"))
            val want = case.jsonObject.getValue("expected")
            val name = case.str("name")
            assertEquals(want.str("secret"), c.secret(), name)
            assertEquals(want.str("algorithm"), c.algorithm(), name)
            assertEquals(want.jsonObject.getValue("digits").jsonPrimitive.int.toUInt(), c.digits(), name)
            assertEquals(want.jsonObject.getValue("period").jsonPrimitive.long.toULong(), c.period(), name)
            assertEquals(want.strOrNull("issuer"), c.issuer(), name)
            assertEquals(want.strOrNull("account_name"), c.accountName(), name)
        }
        for (case in v.list("uri_invalid")) {
            val e = assertFailsWith<InkboxException>(case.str("name")) { TotpConfig.fromUri(case.str("uri")) }
            assertTrue(e.code.startsWith("totp."), "${case.str("name")}: ${e.code}")
        }
    }

    @Test
    fun vaultDerivationsUnwrapAndPayloads(): Unit = runBlocking {
        val v = load("vault.json")
        for (d in v.list("derivations")) {
            val key = deriveMasterKey(d.str("secret"), d.str("organization_id"))
            assertEquals(d.str("auth_hash"), key.authHash(), d.str("name"))
        }
        val primary = v.getValue("primary_key")
        val master = deriveMasterKey(primary.str("vault_key"), primary.str("organization_id"))
        assertEquals(primary.str("auth_hash"), master.authHash())
        val orgKey = unwrapOrgKey(master, primary.str("vault_key_id"), primary.str("wrapped_org_key_b64"))
        // The recovery key unwraps the same org key: its payloads decrypt alike.
        val recovery = v.getValue("recovery_key")
        val rmaster = deriveMasterKey(recovery.str("recovery_code"), recovery.str("organization_id"))
        val orgKey2 = unwrapOrgKey(rmaster, recovery.str("vault_key_id"), recovery.str("wrapped_org_key_b64"))
        for (p in v.list("payloads")) {
            val want = p.jsonObject.getValue("expected_parsed")
            for (k in listOf(orgKey, orgKey2)) {
                val got = Json.parseToJsonElement(k.decryptPayload(p.str("secret_id"), p.str("encrypted_payload_b64")))
                assertEquals(want, got, p.str("name"))
            }
            // Re-encrypted under a fresh nonce, it decrypts to the same payload.
            val again = orgKey.encryptPayload(p.str("secret_id"), p.jsonObject.getValue("payload").toString())
            assertEquals(want, Json.parseToJsonElement(orgKey.decryptPayload(p.str("secret_id"), again)), p.str("name"))
        }
        // The wrong AAD never decrypts.
        val first = v.list("payloads")[0]
        val e = assertFailsWith<InkboxException> { orgKey.decryptPayload("another-id", first.str("encrypted_payload_b64")) }
        assertEquals("vault.decryption_failed", e.code)
        assertEquals("InkboxDecryptionError", e.className)
        // A wrong vault key derives another master key, which unwraps nothing.
        val wrong = deriveMasterKey("Wrong-Key-Entirely-1", primary.str("organization_id"))
        assertFailsWith<InkboxException> { unwrapOrgKey(wrong, primary.str("vault_key_id"), primary.str("wrapped_org_key_b64")) }
    }

    @Test
    fun vaultKeyRules() {
        val v = load("vault.json")
        var checked = 0
        for (case in v.list("vault_key_validation")) {
            val key = case.str("vault_key")
            if (case.jsonObject.getValue("valid").jsonPrimitive.boolean) {
                checkVaultKey(key)
            } else {
                val e = assertFailsWith<InkboxException>(key) { checkVaultKey(key) }
                assertEquals("InkboxVaultKeyError", e.className, key)
            }
            checked++
        }
        if (checked == 0) fail("no vault key cases")
    }
}
