package dev.inkbox.core

import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/**
 * The parts of the surface that are not plain records in, records out: a
 * secret-holding result as an Object, a one-or-several parameter, a
 * multipart upload. Against a fresh emulator on 127.0.0.1.
 */
class SurfaceTest : EmulatorSuite() {

    @Test
    fun createdApiKeyIsAnObjectThatHidesItsSecret(): Unit = runBlocking {
        emu.client().use { client ->
            val agent = client.identities().create("kt-keyed")
            client.apiKeys().create("kt label", description = "for the agent", scopedIdentityId = agent.id).use { created ->
                val secret = created.apiKey()
                assertTrue(secret.startsWith("ApiKey_") && secret.length > 20, "a real key: ${secret.length} chars")
                val record = created.record()
                assertEquals("kt label", record.label)
                assertEquals("for the agent", record.description)
                assertEquals(agent.id, record.scopedIdentityId)
                assertEquals(ApiKeyStatus.Active, record.status)
                assertEquals(secret.takeLast(4), record.last4)
                assertEquals("CreatedApiKey(<redacted>)", created.toString())
                assertTrue(secret !in created.toString() && secret !in record.toString())
                // The key works: whoami answers as the agent's key.
                Inkbox(secret, baseUrl = emu.url).use { scoped ->
                    val who = Json.parseToJsonElement(scoped.callJson("whoami.get")).jsonObject
                    assertEquals("api_key", who.getValue("auth_type").jsonPrimitive.content)
                    assertEquals(record.id, who.getValue("key_id").jsonPrimitive.content)
                }
            }
            // An admin key may only mint identity-scoped keys: the server's 403, typed.
            val e = assertFailsWith<InkboxException> { client.apiKeys().create("unscoped") }
            assertEquals(403.toUShort(), e.statusCode)
            assertEquals("api.forbidden", e.code)
            // Core's builder refuses an empty label before the wire.
            val bad = assertFailsWith<InkboxException> { client.apiKeys().create("", scopedIdentityId = agent.id) }
            assertTrue(bad is InkboxException.Validation, "$bad")
        }
    }

    @Test
    fun textsGoToOneNumberOrSeveral(): Unit = runBlocking {
        val alice = "+15555550111"
        val bob = "+15555550122"
        emu.client().use { client ->
            val agent = client.identity(client.identities().create("kt-texter", phoneNumber = "{}"))
            val number = agent.data().phoneNumber ?: error("the identity got a number")
            for (from in listOf(alice, bob)) {
                emu.control("POST", "/_emulator/texts/inbound", """{"to": "${number.number}", "from": "$from", "text": "START"}""")
            }
            // One number: a 1:1 text, sent as a JSON string.
            val one = client.texts().send(number.id, to = TextRecipients.One(alice), text = "hello Alice")
            assertEquals(TextDirection.Outbound, one.direction)
            assertEquals(alice, one.remotePhoneNumber)
            assertEquals(TextType.Sms, one.textType)
            assertEquals(listOf(alice), one.recipients?.map { it.recipientPhoneNumber })
            // Several: a group send (no single remote number), one leg each.
            val group = agent.sendText(to = TextRecipients.Many(listOf(alice, bob)), text = "hello both")
            assertEquals(null, group.remotePhoneNumber)
            assertEquals(setOf(alice, bob), group.recipients?.map { it.recipientPhoneNumber }?.toSet())
            // Core's checks before the wire: both or neither of to/conversationId, E.164, a non-empty list.
            val neither = assertFailsWith<InkboxException> { agent.sendText(text = "to nobody") }
            assertEquals("api.validation", neither.code)
            val notE164 = assertFailsWith<InkboxException> { agent.sendText(to = TextRecipients.One("555"), text = "x") }
            assertEquals("api.validation", notE164.code)
            val empty = assertFailsWith<InkboxException> { agent.sendText(to = TextRecipients.Many(emptyList()), text = "x") }
            assertEquals("api.validation", empty.code)
            // Into the existing conversation instead.
            val reply = agent.sendText(conversationId = one.conversationId, text = "again")
            assertEquals(one.conversationId, reply.conversationId)
        }
    }

    @Test
    fun aJsonArgumentSentAsNullClearsTheField(): Unit = runBlocking {
        emu.client().use { client ->
            client.identities().create("kt-patch", displayName = "Patch me", description = "\"to be cleared\"")
            // A JSON argument is JSON text: "null" sends an explicit null (clears),
            // a Kotlin null leaves the field out (keeps).
            val kept = client.identities().update("kt-patch", description = "\"still here\"")
            assertEquals("still here", kept.description)
            assertEquals("Patch me", kept.displayName, "an omitted field is kept")
            val cleared = client.identities().update("kt-patch", description = "null")
            assertEquals(null, cleared.description)
            assertEquals("Patch me", cleared.displayName)
            assertEquals(null, client.identities().get("kt-patch").description)
            val bad = assertFailsWith<InkboxException> { client.identities().update("kt-patch", description = "{not json") }
            assertTrue(bad is InkboxException.Validation, "$bad")
        }
    }

    @Test
    fun iMessageMediaIsUploadedAsBytes(): Unit = runBlocking {
        emu.client().use { client ->
            val png = byteArrayOf(0x89.toByte(), 'P'.code.toByte(), 'N'.code.toByte(), 'G'.code.toByte(), 0, 1, 2, 0xff.toByte())
            val agent = client.identity(client.identities().create("kt-imsg", imessageEnabled = true))
            val up = agent.uploadImessageMedia(png, "chart.png", contentType = "image/png")
            assertEquals("image/png", up.contentType)
            assertEquals(png.size.toULong(), up.size)
            // The emulator serves what it stored: the same bytes.
            val served = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(up.mediaUrl)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray(),
            )
            assertEquals(200, served.statusCode())
            assertContentEquals(png, served.body())
            // Without a content type: application/octet-stream.
            assertEquals("application/octet-stream", client.imessages().uploadMedia(byteArrayOf(1, 2, 3), "a.bin").contentType)
            // Core refuses a hostile file name before the wire; an identity
            // without iMessage is refused before any request.
            val bad = assertFailsWith<InkboxException> { client.imessages().uploadMedia(png, "a\"b.png") }
            assertEquals("api.validation", bad.code)
            val off = client.identity(client.identities().create("kt-no-imsg"))
            val e = assertFailsWith<InkboxException> { off.uploadImessageMedia(png, "chart.png") }
            assertEquals("identity.unbound", e.code)
        }
    }
}
