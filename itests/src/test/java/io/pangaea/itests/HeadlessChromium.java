package io.pangaea.itests;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, driven through its own chromedriver (no driver download), with a fresh profile that
 * is removed on {@link #close}.
 */
final class HeadlessChromium implements AutoCloseable {

    final ChromeDriver driver;
    private final Path profile;

    HeadlessChromium() throws Exception {
        this(new String[0]);
    }

    /** With more command-line switches, as {@code --ignore-certificate-errors} for a test CA's certificates. */
    HeadlessChromium(String... extra) throws Exception {
        profile = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,900", "--user-data-dir=" + profile);
        options.addArguments(extra);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    /**
     * The text of the first element {@code css} selects, or "" when none does. The pages render their figures again
     * as the cluster changes: an element found just before it was replaced is looked up again (CI once saw a
     * stale element between the two calls).
     */
    String text(String css) {
        for (int attempt = 1; ; attempt++) {
            List<WebElement> found = driver.findElements(By.cssSelector(css));
            try {
                return found.isEmpty() ? "" : found.get(0).getText();
            } catch (org.openqa.selenium.StaleElementReferenceException replaced) {
                if (attempt == 5) {
                    throw replaced;
                }
            }
        }
    }

    /** Every URL the page requested (its resource timing entries). */
    @SuppressWarnings("unchecked")
    List<String> requests() {
        return (List<String>) driver.executeScript("return performance.getEntriesByType('resource').map(e => e.name);");
    }

    @Override
    public void close() throws Exception {
        try {
            driver.quit();
        } finally {
            try (var walk = Files.walk(profile)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
