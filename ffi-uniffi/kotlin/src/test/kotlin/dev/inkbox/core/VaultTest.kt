package dev.inkbox.core

import kotlinx.coroutines.runBlocking
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** The vault's whole surface against a fresh emulator (one organization, one vault). */
class VaultTest : EmulatorSuite() {

    @Test
    fun secretsKeysAccessAndTotp(): Unit = runBlocking {
        emu.client().use { client ->
            val vaults = client.vault()
            assertNull(vaults.info(), "no vault before initialize")
            val firstKey = "Kotlin-Vault-Key-1!"
            val init = vaults.initialize(firstKey)
            val info = assertNotNull(vaults.info())
            assertEquals(1uL, info.keyCount)
            assertEquals(4uL, info.recoveryKeyCount)

            // Secrets: created ones join the unlocked vault's secrets, by type too.
            val vault = vaults.unlock(firstKey)
            val login = vault.createSecret("Login", """{"username": "a@example.com", "password": "pw-one-long"}""", description = "old")
            val apiKey = vault.createSecret("Key", """{"api_key": "sk-test-123"}""")
            assertEquals(setOf(login.id, apiKey.id), vault.secrets().map { it.id() }.toSet())
            assertEquals(listOf(login.id), vault.secretsOfType(SecretType.Login).map { it.id() })
            assertEquals(listOf(apiKey.id), vault.secretsOfType(SecretType.ApiKey).map { it.id() })
            assertEquals(listOf(apiKey.id), vaults.listSecrets(secretType = SecretType.ApiKey).map { it.id })

            // Update: name and payload, then the description cleared (JSON null).
            val renamed = vault.updateSecret(login.id, name = "Login 2", payloadJson = """{"username": "a@example.com", "password": "pw-two-long"}""")
            assertEquals("Login 2", renamed.name)
            assertEquals("old", renamed.description)
            assertTrue("pw-two-long" in vault.getSecret(login.id).payloadJson())
            assertTrue("pw-two-long" in vault.secret(login.id)!!.payloadJson(), "the known copy is current")
            assertNull(vault.updateSecret(login.id, clearDescription = true).description)
            assertNull(vaults.listSecrets().first { it.id == login.id }.description)
            val both = assertFailsWith<InkboxException> { vault.updateSecret(login.id, description = "x", clearDescription = true) }
            assertEquals("api.validation", both.code)
            val otherType = assertFailsWith<InkboxException> { vault.updateSecret(login.id, payloadJson = """{"api_key": "k"}""") }
            assertEquals("vault.payload_type_mismatch", otherType.code)

            // TOTP of a login: set, its code, removed.
            val uri = "otpauth://totp/Example:agent?secret=JBSWY3DPEHPK3PXP&issuer=Example"
            vault.setTotp(login.id, uri)
            val now = unixNow()
            assertEquals(TotpConfig.fromUri(uri).generate(now).code, vault.getTotpCode(login.id, now).code)

            // Typed payloads (Python's credentials.get_login and siblings): the
            // matching view, null for another type, no field in toString.
            val creds = vault.secret(login.id)!!.login() ?: error("a login")
            assertEquals("pw-two-long", creds.password())
            assertEquals("a@example.com", creds.username())
            assertEquals(TotpConfig.fromUri(uri).generate(now).code, creds.totp()?.generate(now)?.code)
            assertEquals("LoginCredentials(<redacted>)", creds.toString())
            assertNull(vault.secret(login.id)!!.apiKey())
            val key = vault.secret(apiKey.id)!!.apiKey() ?: error("an API key")
            assertEquals("sk-test-123", key.apiKey())
            assertNull(key.endpoint())
            assertTrue("sk-test-123" !in key.toString())
            assertNull(vault.secret(apiKey.id)!!.login())
            vault.removeTotp(login.id)
            assertEquals("vault.no_totp", assertFailsWith<InkboxException> { vault.getTotpCode(login.id) }.code)
            assertEquals("vault.not_login", assertFailsWith<InkboxException> { vault.getTotpCode(apiKey.id) }.code)

            // Access rules.
            val agent = client.identities().create("kt-vault-agent")
            val rule = vaults.grantAccess(apiKey.id, agent.id)
            assertEquals(agent.id, rule.identityId)
            assertEquals(listOf(agent.id), vaults.listAccessRules(apiKey.id).map { it.identityId })
            vaults.revokeAccess(apiKey.id, agent.id)
            assertEquals(emptyList(), vaults.listAccessRules(apiKey.id))

            // Delete: gone from the server and from the unlocked vault.
            vault.deleteSecret(apiKey.id)
            assertNull(vault.secret(apiKey.id))
            assertEquals(listOf(login.id), vaults.listSecrets().map { it.id })
            assertFailsWith<InkboxException.Api> { vaults.deleteSecret(apiKey.id) }

            // Keys: rotate with the current key, then with a recovery code; revoke a recovery key.
            assertEquals(1, vaults.listKeys(keyType = "primary").size)
            val neither = assertFailsWith<InkboxException> { vaults.updateKey("Kotlin-Vault-Key-2!") }
            assertEquals("api.validation", neither.code)
            val second = "Kotlin-Vault-Key-2!"
            assertEquals(KeyType.Primary, vaults.updateKey(second, currentVaultKey = firstKey).keyType)
            assertFailsWith<InkboxException> { vaults.unlock(firstKey) }
            assertEquals("Login 2", vaults.unlock(second).secret(login.id)?.name())
            val codes = init.recoveryCodes()
            vaults.updateKey("Kotlin-Vault-Key-3!", recoveryCode = codes[0])
            assertEquals("Login 2", vaults.unlock("Kotlin-Vault-Key-3!").secret(login.id)?.name())
            val recoveries = vaults.listKeys(keyType = "recovery").size
            val hash = deriveMasterKey(codes[1], emu.orgId).authHash()
            vaults.deleteKey(hash)
            assertEquals(recoveries - 1, vaults.listKeys(keyType = "recovery").size)
        }
    }
}
