using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Hosting;

public sealed class ConfigurationWatchTests : SystemTest
{
    protected override bool ResetsDatabaseBeforeEachTest => false;

    [Test]
    public void The_host_reads_its_settings_files_once_and_watches_no_files()
    {
        // A watch on appsettings.json follows the whole working tree beneath it, the servers' data included (finding 29).
        var root = (IConfigurationRoot)System.Services.GetRequiredService<IConfiguration>();
        var files = root.Providers.OfType<FileConfigurationProvider>().ToList();

        Assert.That(files.Select(f => f.Source.Path), Does.Contain("appsettings.json"), "the settings file is still read");
        Assert.That(files.Where(f => f.Source.ReloadOnChange).Select(f => f.Source.Path), Is.Empty);
    }
}
