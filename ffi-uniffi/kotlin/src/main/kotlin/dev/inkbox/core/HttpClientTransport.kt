package dev.inkbox.core

import java.io.IOException
import java.net.ConnectException
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpConnectTimeoutException
import java.net.http.HttpTimeoutException
import java.time.Duration
import java.util.concurrent.CompletionException
import kotlinx.coroutines.delay
import kotlinx.coroutines.future.await

/**
 * The default transport: the JDK's `java.net.http.HttpClient` (no extra
 * dependency). One exchange per [send]: core decides retries and redirects
 * are not followed. Any other client (OkHttp, a test fake) can implement
 * [HttpTransport] the same way.
 */
class HttpClientTransport(
    private val client: HttpClient = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(30))
        .build(),
) : HttpTransport {

    override suspend fun send(request: HttpRequest, timeoutMs: ULong): HttpResponse {
        val body = request.body()
        val builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url()))
            .timeout(Duration.ofMillis(timeoutMs.toLong()))
            .method(
                request.method(),
                if (body == null) java.net.http.HttpRequest.BodyPublishers.noBody()
                else java.net.http.HttpRequest.BodyPublishers.ofByteArray(body),
            )
        for (h in request.headers()) {
            // The JDK sets these itself and refuses them.
            if (h.name.lowercase() in RESTRICTED) continue
            builder.header(h.name, h.value)
        }
        val response = try {
            client.sendAsync(builder.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).await()
        } catch (e: Throwable) {
            throw classify(if (e is CompletionException && e.cause != null) e.cause!! else e)
        }
        val headers = response.headers().map().flatMap { (name, values) -> values.map { HttpHeader(name, it) } }
        return HttpResponse(response.statusCode().toUShort(), headers, response.body() ?: ByteArray(0))
    }

    override suspend fun sleep(ms: ULong) {
        delay(ms.toLong())
    }

    private fun classify(e: Throwable): TransportException {
        // Only the exception's class goes into the error: its message may quote the URL.
        val what = e.javaClass.simpleName
        return when (e) {
            is HttpConnectTimeoutException -> TransportException.Connect("connect timed out ($what)")
            is HttpTimeoutException -> TransportException.Timeout("no response in time ($what)")
            is ConnectException -> TransportException.Connect("could not connect ($what)")
            is IOException -> TransportException.Interrupted("the exchange broke off ($what)")
            else -> TransportException.Other("the request failed ($what)")
        }
    }

    private companion object {
        val RESTRICTED = setOf("connection", "content-length", "expect", "host", "upgrade")
    }
}
