package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The Web UI in a real browser (Debian's chromium, headless, through its chromedriver) against the real
 * distributions: the overview shows the agent and its resources; tasks a framework launches appear on the Tasks page
 * and their framework on the Frameworks page without a reload (the page follows the operator API's event stream);
 * every request the page made went to the master it came from. A screenshot of the overview with the tasks running
 * is kept in {@code target/webui-overview.png} (the README's is one).
 */
public class WebUiIT {

    private static LocalCluster cluster;
    private static HeadlessChromium chromium;
    private static ChromeDriver browser;

    @BeforeClass
    public static void up() throws Exception {
        cluster = new LocalCluster("cpus:2;mem:1024");
        chromium = new HeadlessChromium();
        browser = chromium.driver;
    }

    @AfterClass
    public static void down() throws Exception {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    /**
     * Clicks (after typing {@code keys} into it, when given) what {@code by} finds. The page renders again as events
     * come, replacing its elements: a stale one is found again and the step repeated.
     */
    private static void act(By by, String... keys) {
        await("the page took " + by).atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            WebElement e = browser.findElement(by);
            if (keys.length > 0) {
                e.clear();
                e.sendKeys(keys);
            } else {
                e.click();
            }
            return true;
        });
    }

    private static String text(String css) {
        return chromium.text(css);
    }

    @Test
    public void theOverviewShowsTheAgentAndItsResources() throws Exception {
        browser.get(cluster.masterUrl() + "/");
        await("one active agent on the overview").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> text("#agents-active .value").equals("1"));
        await("the agent's 2 CPUs").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> text("#resource-cpus .value").endsWith("/ 2"));
        assertTrue(text("#leader .value"), text("#leader .value").endsWith(":" + cluster.masterPort));
        assertEquals("live", text("#connection"));
        // from the page's start to the state from the event stream: the goal is under 1 s
        double ms = ((Number) browser.executeScript("return window.pangaeaFirstState;")).doubleValue();
        System.out.printf(java.util.Locale.ROOT, "BENCHMARK webui: the overview had the cluster's state %.0f ms after"
                + " the page started%n", ms);
        assertTrue(ms + " ms", ms < 5000);

        // the agent's page: its resources, containerizers and isolators
        browser.executeScript("location.hash = '#/agents';");
        act(By.cssSelector("#agents tbody a"));
        await("the agent's page").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> text("#agent-detail").contains("native"));
        assertTrue(text("#agent-detail"), text("#agent-detail").toLowerCase(java.util.Locale.ROOT)
                .contains("posix/cpu"));
    }

    @Test
    public void tasksAppearLiveWithoutAReloadAndEveryRequestGoesToTheMaster() throws Exception {
        browser.get(cluster.masterUrl() + "/#/tasks");
        await("the page is live").atMost(Duration.ofSeconds(20)).until(() -> text("#connection").equals("live"));
        // a mark on this page: a reload would lose it
        browser.executeScript("window.pangaeaTestMark = 'same page';");
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "web-ui-test")) {
            assertEquals(202, fw.launch(fw.nextOffer(0), 0.1, 32, "web-1", "sleep 60", "web-2", "sleep 60")
                    .statusCode());
            // the issue asks for 5 s; slack for a loaded machine
            await("both tasks running on the Tasks page").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> text("tr[data-task='web-1'] .state").equals("TASK_RUNNING")
                            && text("tr[data-task='web-2'] .state").equals("TASK_RUNNING"));
            assertEquals("same page", browser.executeScript("return window.pangaeaTestMark;"));

            // the search narrows the table
            act(By.id("task-search"), "web-2");
            await("only web-2 listed").atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                    browser.findElements(By.cssSelector("#tasks tbody tr")).size() == 1
                            && text("#tasks tbody tr td").equals("web-2"));

            browser.executeScript("location.hash = '#/frameworks';");
            await("the framework on the Frameworks page").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> text("#frameworks tbody").contains("web-ui-test"));
            // its own page lists its tasks
            act(By.xpath("//table[@id='frameworks']//tr[td[2]='web-ui-test']//a"));
            await("the framework's page with its tasks").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> text("#framework-tasks").contains("web-1") && text("#framework-tasks")
                            .contains("web-2"));
            assertEquals("same page", browser.executeScript("return window.pangaeaTestMark;"));

            // the overview counts them, and its charts have points (the README's screenshot)
            browser.executeScript("location.hash = '#/';");
            await("two tasks running on the overview").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> text("#tasks-running .value").equals("2"));
            await("the charts drawn").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> browser.findElements(By.cssSelector("svg.spark polyline")).size() == 4);
            File shot = browser.getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), Path.of("target/webui-overview.png"), StandardCopyOption.REPLACE_EXISTING);
            fw.teardown();
        }
        // every request the page made went to the master's origin
        List<String> requests = chromium.requests();
        assertTrue("no request was recorded", !requests.isEmpty());
        for (String r : requests) {
            assertTrue(r + " is not on " + cluster.masterUrl(), r.startsWith(cluster.masterUrl() + "/"));
        }
        assertEquals(cluster.masterUrl(), browser.executeScript("return location.origin;"));
    }

    /**
     * A task's sandbox through the master: its files are listed, its stdout shown, and the view keeps up as the task
     * writes (a live tail), though the browser never talks to the agent.
     */
    @Test
    public void aTasksSandboxShowsItsStdoutAndTheTailGrows() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "web-ui-sandbox")) {
            assertEquals(202, fw.launch(fw.nextOffer(0), 0.1, 32, "web-log",
                    "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done").statusCode());
            fw.await("web-log running", e -> e.at("/update/status/task_id/value").asText().equals("web-log")
                    && e.at("/update/status/state").asText().equals("TASK_RUNNING"));
            browser.get(cluster.masterUrl() + "/#/sandbox/web-log");
            WebElement stdout = await("stdout listed").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> browser.findElement(By.cssSelector("tr[data-file='stdout'] a")), e -> e != null);
            stdout.click();
            await("stdout shown").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> browser.findElement(By.id("file-view")).getText().contains("line 1"));
            int seen = lastLine(browser.findElement(By.id("file-view")).getText());
            await("the tail grows").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> lastLine(browser.findElement(By.id("file-view")).getText()) >= seen + 10);
            // the download link goes through the master too
            String href = browser.findElement(By.cssSelector("tr[data-file='stdout'] td:last-child a"))
                    .getAttribute("href");
            assertTrue(href, href.startsWith(cluster.masterUrl() + "/agents/"));
            assertTrue(cluster.get(href.substring(cluster.masterUrl().length())).startsWith("line 0\n"));
            fw.teardown(); // its tasks and offers go now, not when the master notices the closed stream
        }
    }

    /** Drain, then reactivate, the agent from the Maintenance page, each with its confirmation. */
    @Test
    public void theMaintenancePageDrainsAndReactivatesTheAgent() throws Exception {
        browser.get(cluster.masterUrl() + "/#/maintenance");
        await("the drain button").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("button[data-action='drain']")), e -> e.isEnabled());
        act(By.cssSelector("button[data-action='drain']"));
        browser.switchTo().alert().accept();
        await("the agent draining or drained").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> text("#maintenance .agent-state").startsWith("drain"));
        act(By.cssSelector("button[data-action='reactivate']"));
        browser.switchTo().alert().accept();
        await("the agent active again").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> text("#maintenance .agent-state").equals("active"));
        await("the master has it active").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> !cluster.get("/master/slaves").contains("\"drain_info\"")
                        && cluster.get("/master/slaves").contains("\"active\":true"));
    }

    /**
     * The Allocator page shows the policy in use and explains why a framework gets no offers: it declined the only
     * agent's resources for an hour.
     */
    @Test
    public void theAllocatorPageExplainsWhyAFrameworkGetsNoOffers() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "web-ui-lonely")) {
            assertEquals(202, fw.decline(fw.nextOffer(0), 3600).statusCode());
            String id = fw.await("SUBSCRIBED", e -> e.path("type").asText().equals("SUBSCRIBED"))
                    .at("/subscribed/framework_id/value").asText();
            browser.get(cluster.masterUrl() + "/#/allocator");
            await("the active policy").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> text("#allocator-active .value").equals("drf"));
            act(By.id("explain-subject"), id);
            act(By.id("explain"));
            await("the explanation").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> text("#explanation").contains("declined by the framework"));
            assertTrue(text("#explanation"), text("#explanation").toLowerCase(java.util.Locale.ROOT)
                    .contains("web-ui-lonely"));
            // its role, with its framework, on the Roles page
            browser.executeScript("location.hash = '#/roles';");
            await("the role '*' with one framework").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                    .until(() -> browser.findElement(By.xpath("//table[@id='roles']//tr[td[1]='*']/td[3]"))
                            .getText().equals("1"));
            fw.teardown();
        }
    }

    /**
     * The page with 5,000 agents and 20,000 tasks in its model (made up in the page, as the scale issue's emulator is
     * not here yet): how long the overview, the Tasks page (paginated) and the Agents page take to render and lay
     * out, and 1,000
     * task updates followed by a render. The bounds are slack for a loaded machine; the figures are printed.
     */
    @Test
    public void thePageStaysQuickWithThousandsOfAgentsAndTensOfThousandsOfTasks() throws Exception {
        browser.get(cluster.masterUrl() + "/#/");
        await("the page is live").atMost(Duration.ofSeconds(20)).until(() -> text("#connection").equals("live"));
        try {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Number> ms = (java.util.Map<String, Number>) browser.executeScript(String.join("\n",
                    "const agents = 5000, tasks = 20000;",
                    "for (let i = 0; i < agents; i++) model.agents.set('bench-a' + i, {agent_info: {id: {value:"
                            + " 'bench-a' + i}, hostname: 'host-' + i, attributes: []}, active: true,"
                            + " total_resources: [{name: 'cpus', type: 'SCALAR', scalar: {value: 8}}],"
                            + " allocated_resources: []});",
                    "for (let i = 0; i < tasks; i++) model.tasks.set('bench-t' + i, {task_id: {value: 'bench-t' + i},"
                            + " name: 't' + i, framework_id: {value: 'bench-f'}, agent_id: {value: 'bench-a' +"
                            + " (i % agents)}, state: i % 3 ? 'TASK_RUNNING' : 'TASK_FINISHED', resources: [{name:"
                            + " 'cpus', type: 'SCALAR', scalar: {value: 0.1}}]});",
                    // the layout too: reading a size makes the browser lay the page out at once
                    "const time = (hash) => { history.replaceState(null, '', hash); const t0 = performance.now();"
                            + " render(); void document.body.offsetHeight; return performance.now() - t0; };",
                    "const out = {overview: time('#/'), tasks: time('#/tasks'), agents: time('#/agents')};",
                    "const t0 = performance.now();",
                    "for (let i = 0; i < 1000; i++) apply({type: 'TASK_UPDATED', task_updated: {framework_id:"
                            + " {value: 'bench-f'}, status: {task_id: {value: 'bench-t' + i}}, state:"
                            + " 'TASK_FINISHED'}});",
                    "history.replaceState(null, '', '#/tasks'); render(); void document.body.offsetHeight;",
                    "out.updates = performance.now() - t0;",
                    "out.rows = document.querySelectorAll('#tasks tbody tr').length;",
                    "return out;"));
            System.out.printf(java.util.Locale.ROOT, "BENCHMARK webui: 5,000 agents and 20,000 tasks: overview %.0f ms,"
                    + " Tasks page %.0f ms, Agents page %.0f ms; 1,000 updates and a render %.0f ms%n",
                    ms.get("overview").doubleValue(), ms.get("tasks").doubleValue(), ms.get("agents").doubleValue(),
                    ms.get("updates").doubleValue());
            assertEquals(500, ms.get("rows").intValue());
            for (String k : List.of("overview", "tasks", "agents", "updates")) {
                assertTrue(k + " took " + ms.get(k) + " ms", ms.get(k).doubleValue() < 3000);
            }
        } finally {
            browser.get("about:blank"); // the made-up model goes with the page
        }
    }

    /** The UI is a plugin like any other: uninstalled and installed again at runtime. */
    @Test
    public void theUiFeatureComesAndGoesAtRuntime() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.URI page = java.net.URI.create(cluster.masterUrl() + "/");
        cluster.masterShell("feature:uninstall pangaea-webui");
        await("the page gone").atMost(Duration.ofSeconds(30)).until(() -> client.send(
                java.net.http.HttpRequest.newBuilder(page).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 404);
        cluster.masterShell("feature:install pangaea-webui");
        await("the page back").atMost(Duration.ofSeconds(30)).until(() -> client.send(
                java.net.http.HttpRequest.newBuilder(page).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    private static int lastLine(String text) {
        int last = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith("line ")) {
                try {
                    last = Math.max(last, Integer.parseInt(line.substring(5).trim()));
                } catch (NumberFormatException ignored) {
                    // a line cut at the end of a read
                }
            }
        }
        return last;
    }

    @Test
    public void pathsThatAreNotTheUisStillAnswerAsTheMasterDoes() throws Exception {
        assertTrue(cluster.get("/").contains("<title>Pangaea</title>"));
        assertTrue(cluster.get("/ui/app.js").contains("SUBSCRIBE"));
        java.net.http.HttpResponse<String> missing = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.masterUrl() + "/no-such-page"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body(), missing.body().contains("No such endpoint"));
        java.net.http.HttpResponse<String> noFile = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.masterUrl() + "/ui/../etc/passwd"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(404, noFile.statusCode());
    }
}
