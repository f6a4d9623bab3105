package io.pangaea.framework.services.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.framework.support.StateStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The services adapter's records in its {@link StateStore}: {@code apps/<key>} (each app as it is now),
 * {@code versions/<key>} (its last versions), {@code instances/<task id>} (each instance's placement) and
 * {@code deployments/<id>}, where the key is the app id with {@code /} as {@code _}.
 */
final class ServicesRecords {

    private ServicesRecords() {}

    /** An app id's key: {@code /prod/web} is {@code prod_web} (ids have no {@code _}). */
    static String key(String appId) {
        return appId.substring(1).replace('/', '_');
    }

    static void putApp(ObjectMapper json, StateStore store, AppDefinition app, List<AppDefinition> versions)
            throws IOException {
        store.put("versions/" + key(app.id()), json.writeValueAsBytes(versions));
        store.put("apps/" + key(app.id()), json.writeValueAsBytes(app));
    }

    static void deleteApp(StateStore store, String appId) throws IOException {
        store.delete("apps/" + key(appId));
        store.delete("versions/" + key(appId));
    }

    /** Reads every record into the maps given. */
    static void read(ObjectMapper json, StateStore store, Map<String, AppDefinition> apps,
                     Map<String, List<AppDefinition>> versions, Map<String, Instance> instances,
                     Map<String, Deployment> deployments) throws IOException {
        for (String key : store.list("apps")) {
            AppDefinition app = json.readValue(store.get(key).orElseThrow(), AppDefinition.class);
            apps.put(app.id(), app);
        }
        for (String key : store.list("versions")) {
            List<AppDefinition> list = new ArrayList<>(List.of(json.readValue(store.get(key).orElseThrow(),
                    AppDefinition[].class)));
            if (!list.isEmpty()) {
                versions.put(list.get(0).id(), list);
            }
        }
        for (String key : store.list("instances")) {
            Instance.Placement p = json.readValue(store.get(key).orElseThrow(), Instance.Placement.class);
            instances.put(p.taskId(), new Instance(p));
        }
        for (String key : store.list("deployments")) {
            Deployment d = json.readValue(store.get(key).orElseThrow(), Deployment.class);
            deployments.put(d.id, d);
        }
    }
}
