document.getElementById("app").textContent = "Consenso: the web client is not built yet.";
