using Microsoft.Playwright;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>
/// Debian's chromium, driven by Playwright for .NET (Playwright's own browser download cannot work here): the browser
/// every console test uses. scripts/chromium.sh installs it; ORDERSYSTEM_CHROMIUM points elsewhere.
/// </summary>
public static class HeadlessChromium
{
    public static readonly string Path = Environment.GetEnvironmentVariable("ORDERSYSTEM_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>Launches it headless; fails the fixture with what to do when it is not installed.</summary>
    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(Path))
        {
            Assert.Fail($"No browser at {Path}: run scripts/chromium.sh (test.sh does), or set ORDERSYSTEM_CHROMIUM.");
        }
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Path, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }
}
