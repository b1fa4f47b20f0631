package dev.inkbox.core

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance

/** A test class against one fresh emulator on 127.0.0.1, started before its tests and stopped after them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EmulatorSuite {
    protected lateinit var emu: Emulator

    @BeforeAll
    fun startEmulator() {
        emu = Emulator.start()
    }

    @AfterAll
    fun stopEmulator() {
        emu.close()
    }
}
