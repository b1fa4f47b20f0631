package dev.inkbox.core

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/** The default base URL of the service. */
const val DEFAULT_BASE_URL: String = "https://inkbox.ai"

/**
 * A [Client] over the JDK's HTTP client: `Inkbox(apiKey).use { ... }`.
 * `maxRetries`: retries after the first attempt; `timeoutMs`: each attempt's timeout.
 */
fun Inkbox(
    apiKey: String,
    baseUrl: String = DEFAULT_BASE_URL,
    maxRetries: UInt = 2u,
    timeoutMs: ULong = 30_000uL,
    transport: HttpTransport = HttpClientTransport(),
): Client = Client(apiKey, transport, baseUrl, maxRetries, timeoutMs)

/**
 * The client's class methods over the JDK's HTTP client, no API key needed:
 * `InkboxStatics().use { it.signup("human@example.com", noteToHuman = "...") }`,
 * then `verifySignup(apiKey, code)`, `resendSignupVerification(apiKey)`,
 * `getSignupStatus(apiKey)` with the key the signup returned.
 */
fun InkboxStatics(
    baseUrl: String = DEFAULT_BASE_URL,
    maxRetries: UInt = 2u,
    timeoutMs: ULong = 30_000uL,
    transport: HttpTransport = HttpClientTransport(),
): ClientStatics = ClientStatics(transport, baseUrl, maxRetries, timeoutMs)

/**
 * The pages of a pager as a cold [Flow]: `pages(client.messages().list(email)::nextPage)`.
 * Each page is fetched when collected; the flow ends after the last page.
 */
fun <T> pages(nextPage: suspend () -> List<T>?): Flow<List<T>> = flow {
    while (true) {
        val page = nextPage() ?: break
        emit(page)
    }
}

/** The items of every page, one by one: `items(pager::nextPage).take(10).toList()`. */
fun <T> items(nextPage: suspend () -> List<T>?): Flow<T> = flow {
    while (true) {
        val page = nextPage() ?: break
        for (item in page) emit(item)
    }
}
