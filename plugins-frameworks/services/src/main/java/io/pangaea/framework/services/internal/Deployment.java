package io.pangaea.framework.services.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deployment: the change from the apps as they were ({@code original}; an app absent there is being created) to
 * the apps as asked ({@code target}; an app absent there is being removed), carried out in steps of actions, as
 * Marathon shows it under {@code /v2/deployments}. Stored under {@code deployments/<id>}, so that a failover of the
 * adapter resumes it, and it can be rolled back to {@code original}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
final class Deployment {

    /** One action on one app: StartApplication, ScaleApplication, RestartApplication or StopApplication. */
    record Action(String action, String app) {}

    public String id;
    public String version;
    public List<List<Action>> steps = new ArrayList<>();
    /** 1-based, as Marathon counts; the step in progress. */
    public int currentStep = 1;
    public Map<String, AppDefinition> original = new LinkedHashMap<>();
    public Map<String, AppDefinition> target = new LinkedHashMap<>();

    List<String> affectedApps() {
        List<String> apps = new ArrayList<>();
        for (List<Action> step : steps) {
            for (Action a : step) {
                if (!apps.contains(a.app())) {
                    apps.add(a.app());
                }
            }
        }
        return apps;
    }

    List<Action> currentActions() {
        return currentStep <= steps.size() ? steps.get(currentStep - 1) : List.of();
    }

    boolean affects(String appId) {
        return affectedApps().contains(appId);
    }

    /** Whether the step in progress replaces the instances of {@code appId} with its new version. */
    boolean restarting(String appId) {
        return currentActions().stream().anyMatch(a -> a.app().equals(appId)
                && a.action().equals("RestartApplication"));
    }

    /** Whether the step in progress lets {@code appId} launch (not before its StartApplication step is done). */
    boolean launching(String appId) {
        return currentActions().stream().noneMatch(a -> a.app().equals(appId)
                && a.action().equals("StartApplication"));
    }
}
