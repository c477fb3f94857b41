package dev.parley.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The simulator's own JSON mapper: it works on trees only (no data binding, so nothing to register for native
 * images) and is deliberately not the application's mapper, so no parley customisation can leak into the wire format.
 */
final class SimJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private SimJson() {
    }
}
