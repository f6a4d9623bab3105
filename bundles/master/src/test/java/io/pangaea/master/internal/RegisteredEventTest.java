package io.pangaea.master.internal;

import static org.junit.Assert.assertArrayEquals;

import io.pangaea.model.AgentId;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import java.util.List;
import org.junit.Test;

/** The REGISTERED event from its template: byte for byte what the whole event's encoding gives. */
public class RegisteredEventTest {

    private static MasterInfo master(String id, String hostname) {
        return new MasterInfo(id, MasterInfo.ipToInt("10.0.0.7"), 5050, "master@10.0.0.7:5050", hostname, "1.11.0",
                null, List.of(new MasterInfo.Capability("AGENT_UPDATE")));
    }

    private static byte[] whole(String id, MasterInfo m, double heartbeat, double timeout) {
        return MesosJson.write(AgentEvent.registered(new AgentEvent.Registered(AgentId.of(id), m, heartbeat,
                timeout)));
    }

    @Test
    public void eachAgentsEventIsTheWholeEncodingWithItsId() {
        RegisteredEvent event = new RegisteredEvent();
        MasterInfo m = master("m-1", "master.example");
        for (String id : new String[] {"m-1-S0", "m-1-S12345", "", "quote\" back\\slash", "tab\tnew\nline",
                "naïve-ünïcode-✓", "PangaeaAgentIdGoesHere"}) {
            assertArrayEquals(id, whole(id, m, 15, 75), event.encode(AgentId.of(id), m, 15, 75));
        }
    }

    @Test
    public void aChangeOfSettingsOrMasterMakesANewTemplate() {
        RegisteredEvent event = new RegisteredEvent();
        MasterInfo m = master("m-1", "master.example");
        assertArrayEquals(whole("a", m, 15, 75), event.encode(AgentId.of("a"), m, 15, 75));
        assertArrayEquals(whole("a", m, 5, 75), event.encode(AgentId.of("a"), m, 5, 75));
        assertArrayEquals(whole("a", m, 5, 30), event.encode(AgentId.of("a"), m, 5, 30));
        MasterInfo other = master("m-2", "other.example");
        assertArrayEquals(whole("b", other, 5, 30), event.encode(AgentId.of("b"), other, 5, 30));
    }

    @Test
    public void aMasterInfoHoldingTheMarkIsEncodedWhole() {
        RegisteredEvent event = new RegisteredEvent();
        MasterInfo odd = master("PangaeaAgentIdGoesHere", "master.example");
        assertArrayEquals(whole("x", odd, 15, 75), event.encode(AgentId.of("x"), odd, 15, 75));
        assertArrayEquals(whole("y", odd, 15, 75), event.encode(AgentId.of("y"), odd, 15, 75));
    }
}
