package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.Test;

/**
 * The Web UI opened on a master that does not lead (two masters, a real ZooKeeper): the page comes from that
 * master, which passes the page's data calls (and its event stream) on to the leader, so the page shows the cluster
 * and every request stays on the master the user opened.
 */
public class WebUiFollowerIT {

    @Test
    public void aFollowerServesTheUiAndPassesItsCallsToTheLeader() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             LocalCluster c = new LocalCluster("cpus:2;mem:1024",
                     Map.of("master", "zk://" + zk.getConnectString() + "/pangaea"), 2,
                     "zk://" + zk.getConnectString() + "/pangaea");
             HeadlessChromium chromium = new HeadlessChromium()) {
            int leading = await("a leader").atMost(Duration.ofSeconds(60)).until(c::leader, i -> i >= 0);
            String follower = "http://127.0.0.1:" + c.masterPorts.get(1 - leading);
            chromium.driver.get(follower + "/");
            await("the cluster on the follower's page").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> chromium.text("#agents-active .value").equals("1")
                            && chromium.text("#connection").equals("live"));
            assertTrue(chromium.text("#leader .value"),
                    chromium.text("#leader .value").endsWith(":" + c.masterPorts.get(leading)));
            await("the resources").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> chromium.text("#resource-cpus .value").endsWith("/ 2"));
            for (String r : chromium.requests()) {
                assertTrue(r + " is not on the follower " + follower, r.startsWith(follower + "/"));
            }
            assertEquals(follower, chromium.driver.executeScript("return location.origin;"));
        }
    }
}
