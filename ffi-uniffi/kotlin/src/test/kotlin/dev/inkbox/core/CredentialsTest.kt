package dev.inkbox.core

import kotlinx.coroutines.runBlocking
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** `identity.credentials()` (Python's `identity.credentials`) against a fresh emulator. */
class CredentialsTest : EmulatorSuite() {

    @Test
    fun lockedThenTypedAccessByIdAndType(): Unit = runBlocking {
        emu.client().use { client ->
            val vaults = client.vault()
            val agent = client.identity(client.identities().create("kt-creds-agent"))

            // No unlock yet: vault.locked, before any request.
            val locked = assertFailsWith<InkboxException.Flow> { agent.credentials() }
            assertEquals("vault.locked", locked.code)
            assertNull(vaults.unlocked())

            val key = "Kotlin-Creds-Key-1!"
            vaults.initialize(key)
            val vault = vaults.unlock(key)
            assertNotNull(vaults.unlocked(), "the client keeps the unlocked vault")
            val id = agent.data().id
            val login = vault.createSecret("CRM", """{"username": "bot@crm.com", "password": "pw-crm-long"}""", identityId = id)
            val apiKey = vault.createSecret("Key", """{"api_key": "sk-creds-123", "endpoint": "https://api.example.com"}""", identityId = id)
            val pair = vault.createSecret("Pair", """{"access_key": "AK1", "secret_key": "SK1"}""", identityId = id)
            val ssh = vault.createSecret("Ssh", """{"private_key": "-----BEGIN KEY-----x"}""", identityId = id)
            val uri = "otpauth://totp/Example:bot?secret=JBSWY3DPEHPK3PXP&issuer=Example"
            vault.setTotp(login.id, uri)

            val creds = agent.credentials()
            assertEquals(4u, creds.size())
            assertEquals("Credentials(4 secrets)", creds.toString())
            assertEquals(setOf(login.id, apiKey.id, pair.id, ssh.id), creds.list().map { it.id() }.toSet())
            assertEquals(listOf(login.id), creds.listLogins().map { it.id() })
            assertEquals(listOf(apiKey.id), creds.listApiKeys().map { it.id() })
            assertEquals(listOf(pair.id), creds.listKeyPairs().map { it.id() })
            assertEquals(listOf(ssh.id), creds.listSshKeys().map { it.id() })

            assertEquals("CRM", creds.get(login.id).name())
            assertEquals("bot@crm.com", creds.getLogin(login.id).username())
            assertEquals("pw-crm-long", creds.getLogin(login.id).password())
            assertEquals("sk-creds-123", creds.getApiKey(apiKey.id).apiKey())
            assertEquals("https://api.example.com", creds.getApiKey(apiKey.id).endpoint())
            assertEquals("SK1", creds.getKeyPair(pair.id).secretKey())
            assertEquals("-----BEGIN KEY-----x", creds.getSshKey(ssh.id).privateKey())
            val now = unixNow()
            assertEquals(TotpConfig.fromUri(uri).generate(now).code, creds.getTotpCode(login.id, now).code)

            // Errors: another type, an unknown id, TOTP of a login without one.
            val wrong = assertFailsWith<InkboxException.Flow> { creds.getLogin(apiKey.id) }
            assertEquals("credentials.wrong_type", wrong.code)
            assertEquals("credentials.wrong_type", assertFailsWith<InkboxException> { creds.getSshKey(pair.id) }.code)
            assertEquals("credentials.wrong_type", assertFailsWith<InkboxException> { creds.getTotpCode(apiKey.id) }.code)
            val missing = assertFailsWith<InkboxException.Flow> { creds.get("00000000-0000-4000-8000-000000000000") }
            assertEquals("credentials.not_found", missing.code)
            vault.removeTotp(login.id)
            assertTrue(creds.getLogin(login.id).totp() != null, "a snapshot: the earlier object is unchanged")
            val noTotp = assertFailsWith<InkboxException> { agent.credentials().getTotpCode(login.id) }
            assertEquals("vault.no_totp", noTotp.code)

            // A later change shows in the next credentials(); lock() forgets the vault.
            vault.deleteSecret(ssh.id)
            assertEquals(3u, agent.credentials().size())
            assertEquals(4u, creds.size())
            vaults.lock()
            assertEquals("vault.locked", assertFailsWith<InkboxException> { agent.credentials() }.code)
            assertNull(vaults.unlocked())
            assertEquals("bot@crm.com", creds.getLogin(login.id).username(), "an object already held keeps working")
            // Unlocking for one identity narrows the credentials to its secrets.
            vault.createSecret("Not the agent's", """{"api_key": "sk-other"}""")
            vaults.unlock(key)
            assertEquals(4u, agent.credentials().size())
            vaults.unlock(key, identityId = id)
            assertEquals(setOf(login.id, apiKey.id, pair.id), agent.credentials().list().map { it.id() }.toSet())
        }
    }
}
