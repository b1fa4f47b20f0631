package dev.inkbox.core

import dev.inkbox.examples.quickStart
import kotlinx.coroutines.runBlocking
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** examples/kotlin against a fresh emulator. */
class ExamplesTest {
    @Test
    fun quickStartRuns(): Unit = runBlocking {
        Emulator.start().use { emu ->
            val lines = quickStart(emu.adminKey, baseUrl = emu.url)
            assertTrue(lines[0].startsWith("created kotlin-agent <kotlin-agent@"), lines[0])
            assertEquals(1, lines.count { it.startsWith("received: Hello from kotlin-peer@") }, "$lines")
            assertEquals("not found: api.not_found (404)", lines.last())
        }
    }
}
