package io.pangaea.master.internal;

import io.pangaea.model.AgentId;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The REGISTERED event an agent gets when the master takes its subscription, encoded once for the master's info and
 * settings and completed with each agent's id. All but the id is the same for every agent; encoding the whole event
 * through the generic encoder was an eighth of a re-registration's time on the loop in a 10,000-agent failover.
 * Loop-confined.
 */
final class RegisteredEvent {

    /** Stands for the agent's id in the encoded template; letters only, so its JSON string is itself in quotes. */
    private static final String MARK = "PangaeaAgentIdGoesHere";

    private List<Object> key;
    /** The template's bytes before and after the id; null when the mark is not in it exactly once. */
    private byte[] head;
    private byte[] tail;

    /** The encoded event for {@code id}: the same bytes as {@code MesosJson.write} of the whole event. */
    byte[] encode(AgentId id, MasterInfo master, double heartbeatSeconds, double totalPingTimeoutSeconds) {
        List<Object> now = Arrays.asList(master, heartbeatSeconds, totalPingTimeoutSeconds);
        if (!now.equals(key)) {
            byte[] template = MesosJson.write(AgentEvent.registered(new AgentEvent.Registered(AgentId.of(MARK), master,
                    heartbeatSeconds, totalPingTimeoutSeconds)));
            byte[] mark = ('"' + MARK + '"').getBytes(StandardCharsets.US_ASCII);
            int at = indexOf(template, mark, 0);
            // the mark not there exactly once (a master info holding it): no template, each event encoded whole
            boolean once = at >= 0 && indexOf(template, mark, at + 1) < 0;
            head = once ? Arrays.copyOfRange(template, 0, at) : null;
            tail = once ? Arrays.copyOfRange(template, at + mark.length, template.length) : null;
            key = now;
        }
        if (head == null) {
            return MesosJson.write(AgentEvent.registered(new AgentEvent.Registered(id, master, heartbeatSeconds,
                    totalPingTimeoutSeconds)));
        }
        byte[] value = MesosJson.write(id.value()); // a JSON string, escaped as the whole event's would be
        byte[] out = new byte[head.length + value.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(value, 0, out, head.length, value.length);
        System.arraycopy(tail, 0, out, head.length + value.length, tail.length);
        return out;
    }

    private static int indexOf(byte[] in, byte[] what, int from) {
        outer:
        for (int i = from; i + what.length <= in.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
