module example.com/vulnfixture

go 1.26
