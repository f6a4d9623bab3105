package io.pangaea.agent.internal.http;

import io.pangaea.http.HttpSupport;
import io.pangaea.protobuf.ProtobufCodec;
import java.io.IOException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Reading a v1 call's body, as the agent's operator and executor APIs both do. */
final class CallBody {

    static final String JSON_TYPE = "application/json";
    static final String PROTOBUF_TYPE = "application/x-protobuf";

    private CallBody() {}

    /**
     * The body as Mesos JSON: read (413 past the size limit) and, when it came as {@code application/x-protobuf},
     * decoded as {@code api}'s Call (400 when it is not one). Null when an answer has already been given.
     */
    static byte[] read(Request request, Response response, Callback callback, String contentType,
                       ProtobufCodec.Api api) throws IOException {
        byte[] body = HttpSupport.body(request);
        if (body == null) {
            HttpSupport.text(response, callback, 413, "Request body larger than " + HttpSupport.MAX_BODY + " bytes");
            return null;
        }
        if (!PROTOBUF_TYPE.equals(contentType)) {
            return body;
        }
        try {
            return ProtobufCodec.callToJson(api, body);
        } catch (ProtobufCodec.CodecException e) {
            HttpSupport.text(response, callback, 400, e.getMessage());
            return null;
        }
    }
}
