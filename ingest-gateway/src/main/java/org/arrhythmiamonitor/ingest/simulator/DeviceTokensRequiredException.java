package org.arrhythmiamonitor.ingest.simulator;

import java.net.URI;

/**
 * The gateway wants a token from every device, and the simulator has no administrator token to
 * provision them: every chunk would be refused (401) for as long as it ran.
 */
public final class DeviceTokensRequiredException extends IllegalStateException {
    public DeviceTokensRequiredException(URI gateway) {
        super("the gateway at " + gateway + " wants a token from every device, and without an administrator "
                + "token the simulator cannot provision them");
    }
}
