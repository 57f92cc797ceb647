using Diffusion.Runtime.Models;
using Diffusion.Server.Hosting;
using Diffusion.Server.Tests.Support;
using Diffusion.Testing;
using Microsoft.Playwright;

namespace Diffusion.Server.Tests.Web;

/// <summary>
/// The web page end to end in a real headless browser: Debian's chromium (build/install-deps.sh
/// installs it) driven by Microsoft.Playwright, against the server on loopback serving the shipped
/// MNIST models.
/// </summary>
public class WebPageTests(WebPageTests.Site site) : IClassFixture<WebPageTests.Site>
{
    /// <summary>One server and one browser for the class.</summary>
    public sealed class Site : IAsyncLifetime
    {
        private const string Chromium = "/usr/bin/chromium";
        private Microsoft.AspNetCore.Builder.WebApplication? _app;
        private IPlaywright? _playwright;

        public Uri Address { get; private set; } = null!;

        public IBrowser Browser { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run build/install-deps.sh (it installs Debian's chromium).");
            var options = new DiffusionServerOptions();
            var load = new ModelLoadOptions { Device = "cpu", Threads = 2 };
            options.Models.Add(ModelRegistration.Onnx("mnist", Path.Combine(RepositoryPaths.Models, "mnist-ddpm.onnx"), load));
            options.Models.Add(ModelRegistration.Onnx("mnist-cond", Path.Combine(RepositoryPaths.Models, "mnist-cond.onnx"), load));
            (_app, Address) = await ServerFixtures.StartKestrel(options);
            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
        }

        public async Task DisposeAsync()
        {
            await Browser.DisposeAsync();
            _playwright?.Dispose();
            if (_app is not null) await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task ClickingGenerateShowsLivePreviewsThenAddsTheResultToTheGalleryWithItsSettings()
    {
        var page = await site.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 760 } });
        var streams = 0;
        page.Response += (_, response) => { if (response.Url.EndsWith("/v1/generate/stream", StringComparison.Ordinal)) streams++; };

        await page.GotoAsync(site.Address.ToString());
        await page.Locator("#model option").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#model", "mnist-cond");
        Assert.True(await page.Locator("#class-field").IsVisibleAsync());
        await page.SelectOptionAsync("#sampler", "euler");
        await page.FillAsync("#steps", "8");
        await page.FillAsync("#count", "4");
        await page.FillAsync("#seed", "7");
        await page.SelectOptionAsync("#class", "3");
        await page.FillAsync("#guidance", "2");
        // Count what the live image shows: every preview, then the result.
        await page.EvaluateAsync(@"() => {
            window.liveFrames = 0;
            new MutationObserver(records => window.liveFrames += records.length).observe(document.getElementById('live'), { attributes: true, attributeFilter: ['src'] });
        }");
        await page.ClickAsync("#generate");

        var figure = page.Locator("#gallery figure").First;
        await figure.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        int width = await figure.Locator("img").EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0");
        Assert.True(width > 0, "the gallery image did not decode");
        string caption = await figure.Locator("figcaption").InnerTextAsync();
        Assert.Contains("mnist-cond", caption);
        Assert.Contains("euler", caption);
        Assert.Contains("8 steps", caption);
        Assert.Contains("seed 7", caption);
        Assert.Contains("class 3", caption);
        Assert.Contains("guidance 2", caption);
        Assert.False(await page.Locator("#live").IsHiddenAsync());
        Assert.Equal(1, streams);
        // 8 steps with a preview every step (the page asks for about 15 per run), then the result.
        Assert.Equal(9, await page.EvaluateAsync<int>("() => window.liveFrames"));
        Assert.StartsWith("done", await page.Locator("#status").InnerTextAsync());

        // For the docs (DIFFUSION_SCREENSHOT=docs/serving-screenshot.png): a second generation, then the page.
        if (Environment.GetEnvironmentVariable("DIFFUSION_SCREENSHOT") is not { } shot) return;
        await page.SelectOptionAsync("#model", "mnist");
        await page.FillAsync("#count", "9");
        await page.FillAsync("#steps", "20");
        await page.ClickAsync("#generate");
        await page.Locator("#gallery figure").Nth(1).WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        await page.Locator("#generate:not([disabled])").WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        Assert.True(new FileInfo(shot).Length > 1000);
    }

    [Fact]
    public async Task AFullyConvolutionalModelOffersHeightAndWidthInItsMultiplesAndGeneratesThatSize()
    {
        var page = await site.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 760 } });
        await page.GotoAsync(site.Address.ToString());
        await page.Locator("#model option").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#model", "mnist");

        Assert.True(await page.Locator("#size-field").IsVisibleAsync());
        Assert.Equal("28", await page.InputValueAsync("#height"));
        Assert.Equal("4", await page.GetAttributeAsync("#width", "step")); // the shipped UNets halve twice
        await page.FillAsync("#height", "36");
        await page.FillAsync("#width", "48");
        await page.FillAsync("#steps", "5");
        await page.FillAsync("#count", "2");
        await page.ClickAsync("#generate");

        var figure = page.Locator("#gallery figure").First;
        await figure.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Assert.Contains("36×48", await figure.Locator("figcaption").InnerTextAsync());
        Assert.StartsWith("done", await page.Locator("#status").InnerTextAsync());
    }

    [Fact]
    public async Task AtPhoneWidthThePageFitsTheScreenAndStillGenerates()
    {
        var page = await site.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 375, Height = 740 }, IsMobile = true, HasTouch = true });

        await page.GotoAsync(site.Address.ToString());
        await page.Locator("#model option").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.FillAsync("#steps", "5");
        await page.FillAsync("#count", "1");
        await page.TapAsync("#generate");
        await page.Locator("#gallery figure img").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

        int scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 375, $"the page is {scrollWidth} px wide at a 375 px screen");
        var button = await page.Locator("#generate").BoundingBoxAsync();
        Assert.NotNull(button);
        Assert.True(button.Width >= 200, "the Generate button should span the narrow screen");
    }
}
