package souk.it;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web console in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}): a person signs
 * up, sees a validation error, places an approved and a declined order and watches them settle without a reload,
 * cancels the confirmed one and sees the refund, keeps live updates across a gateway restart, logs out and in again;
 * the page passes axe-core's WCAG 2.1 A/AA rules at desktop and phone size. Screenshots go to
 * {@code system-tests/target/screenshots}. Without Chromium the test is skipped, saying how to install it, except
 * under {@code CI=true}.
 */
class ConsoleBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster().env("SOUK_JWT_SECRET", "a secret for the console tests, 32+ bytes");

  private static ChromeDriver browser;
  private static Path shots;
  private static Path profile;
  private static int shot;

  @BeforeAll
  static void openBrowser() throws Exception {
    for (Path tool : new Path[] {CHROMIUM, DRIVER}) {
      if (!Files.isExecutable(tool)) {
        NodeTools.require(tool.getFileName().toString(), "apt-get install -y chromium chromium-driver");
      }
    }
    shots = cluster.root().resolve("system-tests/target/screenshots");
    Files.createDirectories(shots);
    profile = Files.createTempDirectory("souk-chromium-");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
      .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run", "--user-data-dir=" + profile, "--window-size=1280,1000");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
      .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().scriptTimeout(WAIT);
  }

  @AfterAll
  static void closeBrowser() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @Test
  void a_person_places_orders_and_watches_them_settle_live() throws Exception {
    String console = "http://127.0.0.1:" + cluster.gatewayPort() + "/";
    browser.get(console);
    assertEquals("Souk console", browser.getTitle());
    // set once; a reload would lose it
    js("window.soukNoReload = true;");
    assertAccessible("signed out");

    String email = "console-" + UUID.randomUUID() + "@example.com";
    type("signup-name", "Console Tester");
    type("signup-email", email);
    type("signup-password", "a long enough password");
    click(By.cssSelector("#signup button[type=submit]"));
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("shop")));
    waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), email));
    waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("live"), "Live updates: on"));
    screenshot("signed-up");

    // a validation error from the API, rendered field by field
    item("sku", "not a sku!");
    item("quantity", "0");
    click(By.id("place"));
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("problem")));
    String problem = browser.findElement(By.id("problem")).getText();
    assertTrue(problem.contains("items[0].sku") && problem.contains("items[0].quantity"), problem);
    screenshot("validation-error");

    String confirmed = place("TEA-1", "2", "450", "tok_visa");
    awaitStatus(confirmed, "Confirmed");
    String declined = place("MUG-7", "1", "1200", "tok_chargeDeclined");
    awaitStatus(declined, "Cancelled (payment declined)");
    screenshot("settled");

    // the cancellation's answer is held back 2 s, so that the refund's live update comes first: the late answer
    // (the order as it was when cancelled, still paid) must not undo it. What the page announces is recorded, to
    // know when the answer has been shown
    js("window.soukAnnounced = [];"
      + "var announce = document.getElementById('announce');"
      + "new MutationObserver(function () { window.soukAnnounced.push(announce.textContent); })"
      + "  .observe(announce, { childList: true, characterData: true, subtree: true });"
      + "var fetched = window.fetch; window.fetch = function (path, options) {"
      + "  var answer = fetched.apply(this, arguments);"
      + "  return String(path).endsWith('/cancel')"
      + "    ? answer.then(function (r) {"
      + "        return new Promise(function (done) { setTimeout(function () { done(r); }, 2000); }); })"
      + "    : answer; };");
    click(By.cssSelector("#order-" + confirmed + " button"));
    awaitStatus(confirmed, "Cancelled (cancelled by you)");
    String answered = "Order " + confirmed.substring(0, 8) + " cancelled.";
    waitFor(driver -> Boolean.TRUE.equals(js("return window.soukAnnounced.indexOf(arguments[0]) >= 0;", answered)));
    waitFor(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#order-" + confirmed + " .payment"),
      "Refunded"));
    screenshot("refunded");
    assertAccessible("signed in, with orders");

    // the gateway restarts on the same port: the console reconnects and hears of the next order
    cluster.node(SoukCluster.GATEWAY).stop();
    waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("live"), "reconnecting"));
    cluster.start(SoukCluster.GATEWAY, SoukCluster.Host.LOCAL,
      Map.of("SOUK_HTTP_PORT", String.valueOf(cluster.gatewayPort())));
    cluster.awaitReady(Duration.ofSeconds(120));
    waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("live"), "Live updates: on"));
    String afterRestart = place("TEA-2", "1", "300", "tok_visa");
    awaitStatus(afterRestart, "Confirmed");
    assertEquals(Boolean.TRUE, js("return window.soukNoReload === true;"), "the page was reloaded");

    click(By.id("logout"));
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
    type("login-email", email);
    type("login-password", "a long enough password");
    click(By.cssSelector("#login button[type=submit]"));
    waitFor(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#orders tbody tr"), 3));

    browser.manage().window().setSize(new Dimension(390, 844));
    screenshot("phone");
    Object wider = js("var width = document.documentElement.clientWidth;"
      + "return Array.from(document.querySelectorAll('body *')).filter(function (e) {"
      + "  return e.offsetParent !== null && e.getBoundingClientRect().right > width + 1; })"
      + ".map(function (e) { return e.tagName + '#' + e.id + '.' + e.className + ' ' + e.getBoundingClientRect().right; })"
      + ".join(', ');");
    assertEquals("", wider, "wider than a phone's screen (" + js("return document.documentElement.clientWidth;") + ")");
    assertAccessible("phone-sized");
  }

  /** Places an order through the form; returns its id once its row shows. */
  private String place(String sku, String quantity, String unitPrice, String paymentMethod) {
    item("sku", sku);
    item("quantity", quantity);
    item("unitPrice", unitPrice);
    new Select(browser.findElement(By.id("payment-method"))).selectByValue(paymentMethod);
    int before = browser.findElements(By.cssSelector("#orders tbody tr")).size();
    click(By.id("place"));
    waitFor(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#orders tbody tr"), before + 1));
    assertTrue(!browser.findElement(By.id("problem")).isDisplayed(), browser.findElement(By.id("problem")).getText());
    return browser.findElement(By.cssSelector("#orders tbody tr")).getAttribute("id").substring("order-".length());
  }

  private void awaitStatus(String orderId, String status) {
    waitFor(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#order-" + orderId + " .status"),
      status));
  }

  private void item(String field, String value) {
    WebElement input = browser.findElement(By.cssSelector("#items .item [name=" + field + "]"));
    input.clear();
    input.sendKeys(value);
  }

  private void type(String id, String value) {
    WebElement input = browser.findElement(By.id(id));
    input.clear();
    input.sendKeys(value);
  }

  private void click(By by) {
    waitFor(ExpectedConditions.elementToBeClickable(by)).click();
  }

  private <T> T waitFor(java.util.function.Function<? super org.openqa.selenium.WebDriver, T> condition) {
    try {
      return new WebDriverWait(browser, WAIT).until(condition);
    } catch (RuntimeException timedOut) {
      screenshot("failed");
      throw timedOut;
    }
  }

  private Object js(String script, Object... arguments) {
    return ((JavascriptExecutor) browser).executeScript(script, arguments);
  }

  /** Runs axe-core's WCAG 2.1 A and AA rules on the page as it is; any violation fails the test. */
  private void assertAccessible(String when) throws Exception {
    String axe = Files.readString(NodeTools.home().resolve("node_modules/axe-core/axe.min.js"));
    js(axe);
    Object result = ((JavascriptExecutor) browser).executeAsyncScript("var done = arguments[arguments.length - 1];"
      + "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
      + ".then(function (r) { done(JSON.stringify(r.violations.map(function (v) {"
      + "  return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) { return n.html; })};"
      + "}))); }, function (e) { done(JSON.stringify([{id: 'axe failed', help: String(e)}])); });");
    JsonArray violations = new JsonArray(String.valueOf(result));
    assertTrue(violations.isEmpty(), when + ": " + violations.encodePrettily());
  }

  private void screenshot(String name) {
    try {
      File file = browser.getScreenshotAs(OutputType.FILE);
      Files.copy(file.toPath(), shots.resolve(String.format("console-%02d-%s.png", ++shot, name)),
        StandardCopyOption.REPLACE_EXISTING);
    } catch (Exception e) {
      // a screenshot is a record, not a check
    }
  }
}
