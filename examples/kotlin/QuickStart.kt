// The quick start in Kotlin (README "Kotlin"): an identity with a mailbox,
// a mail sent and read back, the pages of a mailbox as a Flow.
// Run by ffi-uniffi/kotlin's tests against the emulator (ExamplesTest);
// against the service: quickStart(System.getenv("INKBOX_API_KEY")).
package dev.inkbox.examples

import dev.inkbox.core.Inkbox
import dev.inkbox.core.InkboxException
import dev.inkbox.core.items
import kotlinx.coroutines.flow.toList

suspend fun quickStart(apiKey: String, baseUrl: String = "https://inkbox.ai"): List<String> {
    val out = mutableListOf<String>()
    Inkbox(apiKey, baseUrl = baseUrl).use { inkbox ->
        val agent = inkbox.identities().create("kotlin-agent", displayName = "Kotlin agent")
        val peer = inkbox.identities().create("kotlin-peer")
        out += "created ${agent.agentHandle} <${agent.emailAddress}>"

        inkbox.messages().send(peer.emailAddress!!, listOf(agent.emailAddress!!), "Hello", bodyText = "Hi from Kotlin")
        val inbox = items(inkbox.messages().list(agent.emailAddress!!)::nextPage).toList()
        for (m in inbox) out += "received: ${m.subject} from ${m.fromAddress}"

        try {
            inkbox.identities().get("nobody-here")
        } catch (e: InkboxException.Api) {
            out += "not found: ${e.code} (${e.statusCode})"
        }
    }
    return out
}
