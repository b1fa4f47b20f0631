package dev.inkbox.core

import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest as JdkRequest
import java.net.http.HttpResponse as JdkResponse
import java.time.Duration
import java.util.concurrent.TimeUnit
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive

/**
 * A fresh emulator (tests/emulator) on a free loopback port, stopped by [close].
 * The binary: system property `inkbox.emulator` (the pom sets it to
 * `$CARGO_TARGET_DIR/debug/inkbox-emulator`), else `$INKBOX_EMULATOR_BIN`.
 */
class Emulator private constructor(private val process: Process, hello: JsonElement) : AutoCloseable {
    val url: String = hello.jsonObject.getValue("url").jsonPrimitive.content
    val adminKey: String = hello.jsonObject.getValue("admin_api_key").jsonPrimitive.content
    val orgId: String = hello.jsonObject.getValue("organization_id").jsonPrimitive.content
    private val http = HttpClient.newHttpClient()

    /** A client of the emulator with the admin key. */
    fun client(maxRetries: UInt = 2u, transport: HttpTransport = HttpClientTransport()): Client =
        Inkbox(adminKey, baseUrl = url, maxRetries = maxRetries, transport = transport)

    /** A control-plane request (`/_emulator/...`); the parsed answer, or null for none. */
    fun control(method: String, path: String, body: String? = null): JsonElement? {
        val b = JdkRequest.newBuilder(URI.create(url + path))
            .header("X-API-Key", adminKey)
            .timeout(Duration.ofSeconds(30))
        if (body != null) b.header("Content-Type", "application/json")
        b.method(method, if (body == null) JdkRequest.BodyPublishers.noBody() else JdkRequest.BodyPublishers.ofString(body))
        val r = http.send(b.build(), JdkResponse.BodyHandlers.ofString())
        check(r.statusCode() in 200..299) { "control $method $path: ${r.statusCode()} ${r.body()}" }
        return if (r.body().isBlank()) null else Json.parseToJsonElement(r.body())
    }

    /** Queues a fault for the next matching API requests. */
    fun fault(spec: String) {
        control("POST", "/_emulator/faults", spec)
    }

    override fun close() {
        if (!process.isAlive) return
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly()
            process.waitFor(10, TimeUnit.SECONDS)
        }
    }

    companion object {
        fun binary(): File {
            val path = System.getProperty("inkbox.emulator") ?: System.getenv("INKBOX_EMULATOR_BIN")
                ?: error("no emulator: set -Dinkbox.emulator or INKBOX_EMULATOR_BIN")
            return File(path).also { check(it.canExecute()) { "emulator binary not found at $it (cargo build -p inkbox-emulator)" } }
        }

        fun start(): Emulator {
            val process = ProcessBuilder(binary().path, "--port", "0", "--host", "127.0.0.1")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start()
            try {
                val reader = BufferedReader(InputStreamReader(process.inputStream))
                val line = reader.readLine() ?: error("the emulator exited before printing its address")
                // Keep draining stdout so the emulator never blocks on it.
                Thread { reader.useLines { it.forEach { } } }.apply { isDaemon = true }.start()
                return Emulator(process, Json.parseToJsonElement(line))
            } catch (e: Throwable) {
                process.destroyForcibly()
                throw e
            }
        }
    }
}

/** The repository root (the pom sets `inkbox.repo`). */
fun repoRoot(): File = File(System.getProperty("inkbox.repo") ?: "../..").canonicalFile

/** The shared vectors: `$INKBOX_VECTORS_DIR`, else `tests/vectors`. */
fun vectorsDir(): File = System.getenv("INKBOX_VECTORS_DIR")?.let { File(it) } ?: File(repoRoot(), "tests/vectors")
